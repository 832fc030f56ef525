// The thin browser side of Bluetooth vitals: feature detection, the device chooser, GATT connection and
// notifications. Every byte goes through gatt.ts; this file only wires Web Bluetooth to it and turns browser
// failures into sentences. The environment is a parameter so tests can hand in a fake `navigator.bluetooth`.

import { BLUETOOTH_UNAVAILABLE, bluetoothAvailability, browserEnvironment } from './bluetooth-availability'
import {
  DeviceUserFilter,
  type DeviceUsersState,
  deviceUserKey,
  loadDeviceUser,
  saveDeviceUser,
  type UserChoiceStorage,
} from './device-users'
import {
  DEVICE_INFORMATION,
  GATT_CHARACTERISTIC,
  GATT_SERVICE,
  parseCharacteristic,
  parseDeviceString,
  parseRecordAccessResponse,
  RACP_REPORT_ALL_RECORDS,
  RACP_REPORT_LAST_RECORD,
  toMeasurements,
} from './gatt'
import { DEVICE_IDENTITY_FIELDS, type DeviceIdentity, type Measurement, type Source } from './types'

export {
  BLUETOOTH_UNAVAILABLE,
  type BluetoothAvailability,
  bluetoothAvailability,
  browserEnvironment,
} from './bluetooth-availability'

// The slice of Web Bluetooth used here. @types/web-bluetooth is not installed, and these few members are all the
// adapter needs; the names end in "Like" so they never collide with the DOM's own types if those arrive.
export interface BluetoothCharacteristicLike extends EventTarget {
  readonly value?: DataView | null
  /** Reads the value once (the Device Information strings); some fakes and old browsers lack it. */
  readValue?(): Promise<DataView>
  startNotifications(): Promise<unknown>
  writeValueWithResponse(value: BufferSource): Promise<void>
}
export interface BluetoothServiceLike {
  getCharacteristic(characteristic: number): Promise<BluetoothCharacteristicLike>
}
export interface BluetoothServerLike {
  readonly connected: boolean
  connect(): Promise<BluetoothServerLike>
  disconnect(): void
  getPrimaryService(service: number): Promise<BluetoothServiceLike>
}
export interface BluetoothDeviceLike extends EventTarget {
  /** Stable for this site and device across sessions (Chrome): the key of the remembered user number. */
  readonly id?: string | null
  readonly name?: string | null
  readonly gatt?: BluetoothServerLike | null
}
export interface BluetoothLike {
  /** Missing in some browsers; false when there is no adapter (and, in some, when it is switched off). */
  getAvailability?(): Promise<boolean>
  requestDevice(options: {
    filters: Array<{ services: number[] }>
    optionalServices?: number[]
  }): Promise<BluetoothDeviceLike>
}
export interface BluetoothEnvironment {
  isSecureContext: boolean
  bluetooth?: BluetoothLike
}

/** The profiles asked for in the chooser, each with the characteristics whose values become Measurements. */
const PROFILES = [
  {
    name: 'heart rate',
    service: GATT_SERVICE.heartRate,
    measurements: [GATT_CHARACTERISTIC.heartRateMeasurement],
  },
  {
    name: 'pulse oximetry',
    service: GATT_SERVICE.pulseOximeter,
    // A pulse oximeter offers spot-check, continuous, or both.
    measurements: [GATT_CHARACTERISTIC.plxSpotCheckMeasurement, GATT_CHARACTERISTIC.plxContinuousMeasurement],
  },
  {
    name: 'blood pressure',
    service: GATT_SERVICE.bloodPressure,
    measurements: [GATT_CHARACTERISTIC.bloodPressureMeasurement],
  },
  {
    name: 'temperature',
    service: GATT_SERVICE.healthThermometer,
    measurements: [GATT_CHARACTERISTIC.temperatureMeasurement],
  },
  { name: 'glucose', service: GATT_SERVICE.glucose, measurements: [GATT_CHARACTERISTIC.glucoseMeasurement] },
] as const

/** Glucose Measurement Context: not read, but subscribed to so the meter finds its configuration complete. */
const GLUCOSE_MEASUREMENT_CONTEXT = 0x2a34

export interface VitalsDevice {
  /** As shown on panels: the device's advertised name, or "Bluetooth device". */
  name: string
  /** Which profiles deliver readings: 'heart rate', 'pulse oximetry', 'blood pressure', 'temperature', 'glucose'. */
  measuring: string[]
  /** Stops readings and disconnects; the disconnection is not reported as an error. */
  disconnect(): void
  /** Whose readings are shared, for a device that keeps several users' readings (see device-users.ts). */
  readonly users: DeviceUsersState
  /**
   * The patient's user number on this device (null: not chosen), remembered for this device. Readings of that
   * user that waited for the choice are shared at once.
   */
  chooseUser(user: number | null): void
}
export type ConnectResult = { ok: true; device: VitalsDevice } | { ok: false; error: string }
/**
 * 'reading': one reading, or part of one, was unusable, the device carries on; 'connection': the device is
 * gone.
 */
export type VitalsErrorKind = 'reading' | 'connection'

export interface ConnectOptions {
  environment?: BluetoothEnvironment
  /**
   * Which stored glucose records to ask the meter for once connected. 'last' (default): the reading the patient
   * has just taken; 'all' would also fill the panels with the meter's whole history.
   */
  glucoseRecords?: 'last' | 'all'
  /** ms since the epoch; the arrival time of readings that carry no time of their own */
  now?: () => number
  /** Where each device's chosen user number is kept; default: the browser's localStorage, when there is one. */
  userStorage?: UserChoiceStorage
  /** Called when whose readings are shared changes: a new user seen, a reading skipped or waiting, a choice. */
  onUsers?: (state: DeviceUsersState) => void
}

function browserStorage(): UserChoiceStorage | undefined {
  try {
    return globalThis.localStorage ?? undefined
  } catch {
    return undefined // storage disabled for this site: the choice lasts for this connection only
  }
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string'
    ? error.name
    : ''
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function chooserError(error: unknown): string {
  const name = errorName(error)
  const message = errorMessage(error)
  // Chrome rejects with NotFoundError both when the user closes the chooser and when there is no adapter.
  if (name === 'NotFoundError' && /adapter/i.test(message)) return BLUETOOTH_UNAVAILABLE.adapterOff
  if (name === 'NotFoundError') return 'No device was chosen.'
  if (name === 'SecurityError' || name === 'NotAllowedError') {
    return 'The browser did not allow Bluetooth here. Start it with a button on a secure page (https), in a window the page is not embedded in.'
  }
  return `The Bluetooth device chooser could not open (${message}).`
}

/**
 * Lets the user choose a health device, connects, and subscribes to every supported measurement it offers.
 * Readings arrive as Measurements whose source is the device's name; an unusable reading or a lost connection
 * arrives as a sentence in `onError`. Resolves (never rejects) with the connected device or why it failed.
 * Must be called from a user gesture (a click), like any Web Bluetooth chooser.
 */
export async function connectVitalsDevice(
  onMeasurements: (measurements: Measurement[]) => void,
  onError: (message: string, kind: VitalsErrorKind) => void,
  options: ConnectOptions = {},
): Promise<ConnectResult> {
  const environment = options.environment ?? browserEnvironment()
  const now = options.now ?? Date.now
  const availability = await bluetoothAvailability(environment)
  if (!availability.available) return { ok: false, error: availability.reason }
  const bluetooth = environment.bluetooth
  if (bluetooth === undefined) return { ok: false, error: BLUETOOTH_UNAVAILABLE.noWebBluetooth }

  let chosen: BluetoothDeviceLike
  try {
    // One filter per service: a device matches if it advertises any of them, and all five become accessible.
    chosen = await bluetooth.requestDevice({
      filters: PROFILES.map(({ service }) => ({ services: [service] })),
      // Not a filter (few devices advertise it) but allowed, so the device's maker, model and serial can be read.
      optionalServices: [DEVICE_INFORMATION.service],
    })
  } catch (error) {
    return { ok: false, error: chooserError(error) }
  }
  const name = chosen.name?.trim() || 'Bluetooth device'
  const source: Source = { kind: 'device', label: name }
  const userStorage = options.userStorage ?? browserStorage()
  const userKey = deviceUserKey(chosen)
  const users = new DeviceUserFilter(loadDeviceUser(userStorage, userKey))
  const usersChanged = () => options.onUsers?.(users.state)
  const gatt = chosen.gatt
  if (gatt === undefined || gatt === null) return { ok: false, error: `${name} cannot be connected to.` }

  let server: BluetoothServerLike
  try {
    server = await gatt.connect()
  } catch {
    return {
      ok: false,
      error: `Could not connect to ${name}. Make sure it is switched on, close by and not connected to another app, then try again.`,
    }
  }

  const cleanups: Array<() => void> = []
  const listen = (target: EventTarget, type: string, listener: () => void) => {
    target.addEventListener(type, listener)
    cleanups.push(() => target.removeEventListener(type, listener))
  }
  let closing = false
  const close = () => {
    for (const cleanup of cleanups.splice(0)) cleanup()
  }

  // Listened to from the start, so a device that drops out while we subscribe is reported too.
  listen(chosen, 'gattserverdisconnected', () => {
    close()
    if (!closing) onError(`${name} disconnected. Connect it again to keep receiving readings.`, 'connection')
  })

  const deliver = (characteristic: number, view: DataView | null | undefined) => {
    if (view === null || view === undefined) return
    try {
      const mapped = toMeasurements(characteristic, parseCharacteristic(characteristic, view), source, now())
      const before = JSON.stringify(users.state)
      const patients = users.take(mapped.measurements, mapped.deviceUser)
      if (JSON.stringify(users.state) !== before) usersChanged()
      if (patients.length > 0) onMeasurements(patients)
      for (const reason of [...mapped.dropped, ...mapped.notes]) onError(reason, 'reading')
    } catch {
      // gatt.ts never throws by design (its fuzz tests hold it to that); this keeps a bug there, or in a
      // callback, from silently killing the event listener.
      onError(`A reading from ${name} could not be read.`, 'reading')
    }
  }

  // GATT operations go one at a time: Chrome rejects a second one while the first is in flight.
  // What the device says it is comes first, so its first readings already carry it.
  const identity = await readDeviceIdentity(server)
  if (identity) source.device = identity
  const measuring: string[] = []
  for (const profile of PROFILES) {
    let service: BluetoothServiceLike
    try {
      service = await server.getPrimaryService(profile.service)
    } catch {
      continue // the device does not offer this profile: the usual case for all but one
    }
    let started = false
    for (const id of profile.measurements) {
      let characteristic: BluetoothCharacteristicLike
      try {
        characteristic = await service.getCharacteristic(id)
      } catch {
        continue // optional in its service (PLX spot-check vs continuous)
      }
      // Listen before subscribing, so the first value (often sent at once) is not missed.
      listen(characteristic, 'characteristicvaluechanged', () => deliver(id, characteristic.value))
      try {
        await characteristic.startNotifications()
        started = true
      } catch {
        onError(`${name} did not start sending ${profile.name} readings.`, 'reading')
      }
    }
    if (!started) continue
    measuring.push(profile.name)
    if (profile.service === GATT_SERVICE.glucose) {
      await requestGlucoseRecords(service, options.glucoseRecords ?? 'last', listen, (message) =>
        onError(message, 'reading'),
      )
    }
  }

  if (measuring.length === 0) {
    closing = true
    close()
    server.disconnect()
    return {
      ok: false,
      error: `${name} offers none of the supported measurements (heart rate, pulse oximetry, blood pressure, temperature, glucose).`,
    }
  }

  return {
    ok: true,
    device: {
      name,
      measuring,
      disconnect() {
        closing = true
        close()
        if (server.connected) server.disconnect()
      },
      get users() {
        return users.state
      },
      chooseUser(user) {
        saveDeviceUser(userStorage, userKey, user)
        const released = users.choose(user)
        usersChanged()
        if (released.length > 0) onMeasurements(released)
      },
    },
  }
}

/** The Device Information strings the device offers, or undefined when it offers none (or no such service). */
async function readDeviceIdentity(server: BluetoothServerLike): Promise<DeviceIdentity | undefined> {
  let service: BluetoothServiceLike
  try {
    service = await server.getPrimaryService(DEVICE_INFORMATION.service)
  } catch {
    return undefined // optional: many devices have none
  }
  const identity: DeviceIdentity = {}
  for (const field of DEVICE_IDENTITY_FIELDS) {
    try {
      const characteristic = await service.getCharacteristic(DEVICE_INFORMATION.strings[field])
      const view = await characteristic.readValue?.()
      const text = view === undefined ? undefined : parseDeviceString(view)
      if (text !== undefined) identity[field] = text
    } catch {
      // Each string is optional in the service.
    }
  }
  return Object.keys(identity).length > 0 ? identity : undefined
}

/**
 * A glucose meter sends nothing by itself: its records are requested on the Record Access Control Point (RACP),
 * which answers by indication, after the records themselves arrive as Glucose Measurement notifications. The
 * Glucose Service wants the measurement (and context, if any) notifications and the RACP indications enabled
 * before the request, which is why this runs after the measurement subscription.
 */
async function requestGlucoseRecords(
  service: BluetoothServiceLike,
  which: 'last' | 'all',
  listen: (target: EventTarget, type: string, listener: () => void) => void,
  report: (message: string) => void,
): Promise<void> {
  try {
    const context = await service.getCharacteristic(GLUCOSE_MEASUREMENT_CONTEXT)
    await context.startNotifications()
  } catch {
    // Optional in the Glucose Service; without it the meter simply sends no context.
  }
  try {
    const racp = await service.getCharacteristic(GATT_CHARACTERISTIC.recordAccessControlPoint)
    listen(racp, 'characteristicvaluechanged', () => {
      if (racp.value === null || racp.value === undefined) return
      const response = parseRecordAccessResponse(racp.value)
      if (!response.ok) report(response.error)
    })
    await racp.startNotifications()
    await racp.writeValueWithResponse(which === 'all' ? RACP_REPORT_ALL_RECORDS : RACP_REPORT_LAST_RECORD)
  } catch {
    report(
      'The glucose meter did not accept the request for its readings. Take a new reading, or reconnect it.',
    )
  }
}
