// The Web Bluetooth adapter against a fake navigator.bluetooth: what it says when Bluetooth is missing, which
// devices it asks the chooser for, that notifications reach the callback as Measurements named after the device,
// that a glucose meter is asked for its last record, and that a lost connection is reported but a deliberate
// disconnect is not; that the device's identity comes from its Device Information, and that a shared cuff's
// other users' readings never reach the callback.
import { describe, expect, it } from 'vitest'
import {
  BLUETOOTH_UNAVAILABLE,
  type BluetoothCharacteristicLike,
  type BluetoothDeviceLike,
  type BluetoothEnvironment,
  type BluetoothServerLike,
  type BluetoothServiceLike,
  bluetoothAvailability,
  connectVitalsDevice,
  type VitalsErrorKind,
} from './bluetooth'
import type { DeviceUsersState } from './device-users'
import type { Measurement } from './types'

const notFound = () => new DOMException('No such service.', 'NotFoundError')

class FakeCharacteristic extends EventTarget implements BluetoothCharacteristicLike {
  value: DataView | null = null
  notifying = false
  written: number[][] = []
  /** What the fake device answers on this characteristic after a write, if anything. */
  answer: number[] | undefined

  async startNotifications() {
    this.notifying = true
    return this
  }

  async writeValueWithResponse(value: BufferSource) {
    const bytes = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : new Uint8Array(value)
    this.written.push([...bytes])
    if (this.answer !== undefined) queueMicrotask(() => this.answer && this.send(this.answer))
  }

  async readValue() {
    if (this.value === null) throw new DOMException('Nothing to read.', 'NotSupportedError')
    return this.value
  }

  send(bytes: number[]) {
    this.value = new DataView(Uint8Array.from(bytes).buffer)
    this.dispatchEvent(new Event('characteristicvaluechanged'))
  }
}

class FakeServer implements BluetoothServerLike {
  connected = false
  constructor(
    private readonly device: EventTarget,
    private readonly services: Map<number, Map<number, FakeCharacteristic>>,
  ) {}
  async connect() {
    this.connected = true
    return this
  }
  disconnect() {
    if (!this.connected) return
    this.connected = false
    this.device.dispatchEvent(new Event('gattserverdisconnected'))
  }
  async getPrimaryService(uuid: number): Promise<BluetoothServiceLike> {
    const characteristics = this.services.get(uuid)
    if (characteristics === undefined) throw notFound()
    return {
      getCharacteristic: async (id: number) => {
        const characteristic = characteristics.get(id)
        if (characteristic === undefined) throw notFound()
        return characteristic
      },
    }
  }
}

class FakeDevice extends EventTarget implements BluetoothDeviceLike {
  readonly gatt: FakeServer
  constructor(
    readonly name: string | undefined,
    services: Map<number, Map<number, FakeCharacteristic>>,
    readonly id = 'fake-device-id',
  ) {
    super()
    this.gatt = new FakeServer(this, services)
  }
}

function environment(device: FakeDevice | Error, available = true) {
  const requests: unknown[] = []
  const env: BluetoothEnvironment = {
    isSecureContext: true,
    bluetooth: {
      getAvailability: async () => available,
      requestDevice: async (options) => {
        requests.push(options)
        if (device instanceof Error) throw device
        return device
      },
    },
  }
  return { env, requests }
}

function recorder() {
  const measurements: Measurement[] = []
  const errors: Array<[string, VitalsErrorKind]> = []
  return {
    measurements,
    errors,
    onMeasurements: (batch: Measurement[]) => measurements.push(...batch),
    onError: (message: string, kind: VitalsErrorKind) => errors.push([message, kind]),
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('bluetoothAvailability', () => {
  it('says plainly why Bluetooth cannot be used', async () => {
    expect(await bluetoothAvailability({ isSecureContext: false })).toEqual({
      available: false,
      reason: BLUETOOTH_UNAVAILABLE.notSecure,
    })
    expect(await bluetoothAvailability({ isSecureContext: true })).toEqual({
      available: false,
      reason:
        'This browser has no Web Bluetooth. Use Chrome or Edge on a computer or Android phone, or enter readings by hand.',
    })
    const requestDevice = () => Promise.reject(new Error('unused'))
    expect(
      await bluetoothAvailability({
        isSecureContext: true,
        bluetooth: { getAvailability: async () => false, requestDevice },
      }),
    ).toEqual({ available: false, reason: BLUETOOTH_UNAVAILABLE.adapterOff })
  })

  it('is available when the adapter is there, or when the browser cannot tell', async () => {
    const requestDevice = () => Promise.reject(new Error('unused'))
    const available = { available: true }
    expect(
      await bluetoothAvailability({
        isSecureContext: true,
        bluetooth: { getAvailability: async () => true, requestDevice },
      }),
    ).toEqual(available)
    expect(await bluetoothAvailability({ isSecureContext: true, bluetooth: { requestDevice } })).toEqual(
      available,
    )
    const failing = { getAvailability: () => Promise.reject(new Error('no')), requestDevice }
    expect(await bluetoothAvailability({ isSecureContext: true, bluetooth: failing })).toEqual(available)
  })
})

describe('connectVitalsDevice', () => {
  it('asks the chooser for any of the five health services', async () => {
    const { env, requests } = environment(
      new DOMException('User cancelled the requestDevice() chooser.', 'NotFoundError'),
    )
    const log = recorder()
    expect(await connectVitalsDevice(log.onMeasurements, log.onError, { environment: env })).toEqual({
      ok: false,
      error: 'No device was chosen.',
    })
    expect(requests).toEqual([
      {
        filters: [
          { services: [0x180d] },
          { services: [0x1822] },
          { services: [0x1810] },
          { services: [0x1809] },
          { services: [0x1808] },
        ],
        optionalServices: [0x180a],
      },
    ])
  })

  it('does not open the chooser where Bluetooth is unavailable', async () => {
    const { env, requests } = environment(new Error('unused'), false)
    const log = recorder()
    const result = await connectVitalsDevice(log.onMeasurements, log.onError, { environment: env })
    expect(result).toEqual({ ok: false, error: BLUETOOTH_UNAVAILABLE.adapterOff })
    expect(requests).toEqual([])
  })

  it('hands heart rate notifications over as Measurements named after the device', async () => {
    const hr = new FakeCharacteristic()
    const device = new FakeDevice('Polar H10 1234', new Map([[0x180d, new Map([[0x2a37, hr]])]]))
    const { env } = environment(device)
    const log = recorder()
    const result = await connectVitalsDevice(log.onMeasurements, log.onError, {
      environment: env,
      now: () => 1000,
    })
    expect(result.ok && result.device.measuring).toEqual(['heart rate'])
    expect(hr.notifying).toBe(true)

    hr.send([0x06, 0x48]) // contact detected, 72 bpm
    expect(log.measurements).toEqual([
      {
        kind: 'heart-rate',
        value: 72,
        at: 1000,
        source: { kind: 'device', label: 'Polar H10 1234' },
        quality: 'ok',
        spot: false,
      },
    ])
    hr.send([0x01, 0x48]) // uint16 flagged, one byte: broken
    expect(log.errors).toEqual([
      [
        'The heart rate measurement is cut short: it ends (after 2 bytes) before its 16-bit heart rate.',
        'reading',
      ],
    ])
  })

  it('names an unnamed device "Bluetooth device" and reads both oximeter characteristics', async () => {
    const spot = new FakeCharacteristic()
    const continuous = new FakeCharacteristic()
    const device = new FakeDevice(
      undefined,
      new Map([
        [
          0x1822,
          new Map([
            [0x2a5e, spot],
            [0x2a5f, continuous],
          ]),
        ],
      ]),
    )
    const log = recorder()
    const result = await connectVitalsDevice(log.onMeasurements, log.onError, {
      environment: environment(device).env,
    })
    expect(result.ok && result.device.name).toBe('Bluetooth device')
    continuous.send([0x00, 0x62, 0x00, 0x48, 0x00]) // SpO2 98, PR 72
    expect(log.measurements.map((m) => [m.kind, m.source.label])).toEqual([
      ['spo2', 'Bluetooth device'],
      ['heart-rate', 'Bluetooth device'],
    ])
  })

  it('asks a glucose meter for its last record after subscribing, and reports "no records"', async () => {
    const measurement = new FakeCharacteristic()
    const racp = new FakeCharacteristic()
    racp.answer = [0x06, 0x00, 0x01, 0x06] // response code: report stored records → no records found
    const device = new FakeDevice(
      'Meter',
      new Map([
        [
          0x1808,
          new Map([
            [0x2a18, measurement],
            [0x2a52, racp],
          ]),
        ],
      ]),
    )
    const log = recorder()
    await connectVitalsDevice(log.onMeasurements, log.onError, { environment: environment(device).env })
    expect(measurement.notifying).toBe(true)
    expect(racp.notifying).toBe(true)
    expect(racp.written).toEqual([[0x01, 0x06]]) // report stored records, last record
    await flush()
    expect(log.errors).toEqual([
      ['The glucose meter did not send its readings: it has no stored readings.', 'reading'],
    ])
  })

  it('refuses a device without any supported measurement, and disconnects it', async () => {
    const device = new FakeDevice('Scale', new Map([[0x181d, new Map()]]))
    const log = recorder()
    const result = await connectVitalsDevice(log.onMeasurements, log.onError, {
      environment: environment(device).env,
    })
    expect(result).toEqual({
      ok: false,
      error:
        'Scale offers none of the supported measurements (heart rate, pulse oximetry, blood pressure, temperature, glucose).',
    })
    expect(device.gatt.connected).toBe(false)
    expect(log.errors).toEqual([])
  })

  it('reports a lost connection, but not a deliberate disconnect', async () => {
    const hr = new FakeCharacteristic()
    const services = new Map([[0x180d, new Map([[0x2a37, hr]])]])
    const lost = new FakeDevice('Strap', services)
    const log = recorder()
    await connectVitalsDevice(log.onMeasurements, log.onError, { environment: environment(lost).env })
    lost.gatt.disconnect() // the strap went out of range
    expect(log.errors).toEqual([
      ['Strap disconnected. Connect it again to keep receiving readings.', 'connection'],
    ])
    hr.send([0x06, 0x48]) // nothing is listening any more
    expect(log.measurements).toEqual([])

    const kept = new FakeDevice('Strap', new Map([[0x180d, new Map([[0x2a37, new FakeCharacteristic()]])]]))
    const quiet = recorder()
    const result = await connectVitalsDevice(quiet.onMeasurements, quiet.onError, {
      environment: environment(kept).env,
    })
    if (!result.ok) throw new Error(result.error)
    result.device.disconnect()
    expect(kept.gatt.connected).toBe(false)
    expect(quiet.errors).toEqual([])
  })

  it('names the device by its Device Information strings, for the export', async () => {
    const hr = new FakeCharacteristic()
    const text = (value: string) => {
      const characteristic = new FakeCharacteristic()
      characteristic.value = new DataView(new TextEncoder().encode(value).buffer)
      return characteristic
    }
    const device = new FakeDevice(
      'Strap',
      new Map([
        [0x180d, new Map([[0x2a37, hr]])],
        [
          0x180a,
          new Map([
            [0x2a29, text('Polar Electro Oy\0\0')], // padded with NULs, as some devices do
            [0x2a24, text('H10')],
            [0x2a25, text('C7A12345')],
          ]),
        ],
      ]),
    )
    const log = recorder()
    await connectVitalsDevice(log.onMeasurements, log.onError, { environment: environment(device).env })
    hr.send([0x06, 0x48])
    expect(log.measurements[0]?.source).toEqual({
      kind: 'device',
      label: 'Strap',
      device: { manufacturer: 'Polar Electro Oy', model: 'H10', serial: 'C7A12345' },
    })
  })

  describe('a cuff shared by several users', () => {
    /** Blood pressure 120/80/93 mmHg of device user `user` (User ID flag set). */
    const reading = (user: number, systolic = 120) => [0x08, systolic, 0x00, 0x50, 0x00, 0x5d, 0x00, user]

    async function connectCuff(storage: Map<string, string>, id = 'cuff-1') {
      const bp = new FakeCharacteristic()
      const device = new FakeDevice('Family cuff', new Map([[0x1810, new Map([[0x2a35, bp]])]]), id)
      const log = recorder()
      const states: DeviceUsersState[] = []
      const result = await connectVitalsDevice(log.onMeasurements, log.onError, {
        environment: environment(device).env,
        userStorage: {
          getItem: (key) => storage.get(key) ?? null,
          setItem: (key, value) => storage.set(key, value),
          removeItem: (key) => storage.delete(key),
        },
        onUsers: (state) => states.push(state),
      })
      if (!result.ok) throw new Error(result.error)
      return { bp, log, states, device: result.device }
    }

    it('holds readings until the patient chooses their user number, then shares only theirs', async () => {
      const { bp, log, states, device } = await connectCuff(new Map())
      bp.send(reading(1, 118))
      bp.send(reading(2, 150))
      expect(log.measurements).toEqual([])
      expect(device.users).toEqual({ chosen: null, seen: [1, 2], skipped: 0, waiting: 2 })

      device.chooseUser(1)
      expect(log.measurements.map((m) => m.kind === 'blood-pressure' && m.systolic)).toEqual([118])
      bp.send(reading(2, 152))
      bp.send(reading(1, 121))
      expect(log.measurements.map((m) => m.kind === 'blood-pressure' && m.systolic)).toEqual([118, 121])
      expect(states.at(-1)).toEqual({ chosen: 1, seen: [1, 2], skipped: 2, waiting: 0 })
    })

    it('remembers the choice per device, and skips a guest reading', async () => {
      const storage = new Map<string, string>()
      const first = await connectCuff(storage)
      first.device.chooseUser(2)
      first.device.disconnect()

      const again = await connectCuff(storage)
      expect(again.device.users.chosen).toBe(2)
      again.bp.send(reading(2))
      again.bp.send(reading(255)) // guest: not known to be the patient
      expect(again.log.measurements).toHaveLength(1)
      expect(again.device.users.skipped).toBe(1)

      const otherCuff = await connectCuff(storage, 'cuff-2')
      expect(otherCuff.device.users.chosen).toBeNull()
    })

    it('passes readings of a device without users straight through', async () => {
      const { bp, log, device } = await connectCuff(new Map())
      bp.send([0x00, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00]) // no User ID flag
      expect(log.measurements).toHaveLength(1)
      expect(device.users).toEqual({ chosen: null, seen: [], skipped: 0, waiting: 0 })
    })
  })
})
