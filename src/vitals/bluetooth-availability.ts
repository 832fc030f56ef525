// Whether a vitals device can be connected here, on its own: the call screen asks on mount, and this answer
// must not bring the GATT parsers and the adapter (bluetooth.ts, gatt.ts) into every call's download; they load
// when someone actually connects a device.
import type { BluetoothEnvironment, BluetoothLike } from './bluetooth'

export function browserEnvironment(): BluetoothEnvironment {
  const nav = globalThis.navigator as (Navigator & { bluetooth?: BluetoothLike }) | undefined
  return {
    isSecureContext: globalThis.isSecureContext === true,
    ...(nav?.bluetooth === undefined ? {} : { bluetooth: nav.bluetooth }),
  }
}

export const BLUETOOTH_UNAVAILABLE = {
  noWebBluetooth:
    'This browser has no Web Bluetooth. Use Chrome or Edge on a computer or Android phone, or enter readings by hand.',
  // Chrome hides navigator.bluetooth on insecure pages, so this check comes first: otherwise a Chrome user on a
  // plain-HTTP LAN address would be told to switch to Chrome.
  notSecure:
    'Bluetooth only works on a secure page. Open the app over https:// (or as localhost on this computer), or enter readings by hand.',
  adapterOff:
    'Bluetooth is turned off, or this device has no Bluetooth adapter. Turn Bluetooth on and try again, or enter readings by hand.',
} as const

export type BluetoothAvailability = { available: true } | { available: false; reason: string }

/** Whether a vitals device can be connected here, and if not, a sentence saying why. Never rejects. */
export async function bluetoothAvailability(
  environment: BluetoothEnvironment = browserEnvironment(),
): Promise<BluetoothAvailability> {
  if (!environment.isSecureContext) return { available: false, reason: BLUETOOTH_UNAVAILABLE.notSecure }
  const { bluetooth } = environment
  if (bluetooth === undefined) return { available: false, reason: BLUETOOTH_UNAVAILABLE.noWebBluetooth }
  if (bluetooth.getAvailability !== undefined) {
    try {
      if (!(await bluetooth.getAvailability()))
        return { available: false, reason: BLUETOOTH_UNAVAILABLE.adapterOff }
    } catch {
      // An availability query that fails tells us nothing; the chooser will say what is wrong, if anything.
    }
  }
  return { available: true }
}
