// The local camera and microphone: acquisition with chosen devices, and plain sentences for every way it fails.

/** What we send: camera and microphone, the microphone alone, or nothing (we only see and hear the others). */
export type MediaMode = 'camera-and-microphone' | 'microphone-only' | 'receive-only'

export interface DeviceChoice {
  cameraId?: string
  microphoneId?: string
}

export type MediaFailure = 'denied' | 'absent' | 'busy' | 'insecure' | 'unknown'

export class LocalMediaError extends Error {
  constructor(
    readonly failure: MediaFailure,
    readonly wanted: MediaMode,
  ) {
    super(describeMediaFailure(failure, wanted))
  }
}

export function classifyMediaError(error: unknown): MediaFailure {
  const name = (error as { name?: unknown } | null)?.name
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'denied'
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return 'absent'
    case 'NotReadableError':
    case 'AbortError':
    case 'TrackStartError':
      return 'busy'
    default:
      return 'unknown'
  }
}

export function describeMediaFailure(failure: MediaFailure, wanted: MediaMode): string {
  const what = wanted === 'microphone-only' ? 'microphone' : 'camera or microphone'
  switch (failure) {
    case 'denied':
      return `Access to your ${what} was denied. Allow it in the browser's site settings, or join without it.`
    case 'absent':
      return `No ${what} was found on this device. You can join without it and still see and hear the others.`
    case 'busy':
      return `Your ${what} is in use by another app. Close that app and try again, or join without it.`
    case 'insecure':
      return `The ${wanted === 'microphone-only' ? 'microphone' : 'camera'} needs a secure connection. Open the https:// address of this app, or use localhost.`
    case 'unknown':
      return `Your ${what} could not be started. You can join without it and still see and hear the others.`
  }
}

/**
 * The same failures, said to someone already in the call (it goes on meanwhile), who asked from its toolbar: for
 * the camera and microphone ('Turn camera on') or the microphone alone ('Turn microphone on').
 */
export function describeMediaFailureInCall(
  failure: MediaFailure,
  wanted: Exclude<MediaMode, 'receive-only'> = 'camera-and-microphone',
): string {
  const microphone = wanted === 'microphone-only'
  const what = microphone ? 'microphone' : 'camera or microphone'
  const them = microphone ? 'it' : 'them'
  const button = microphone ? 'Turn microphone on' : 'Turn camera on'
  switch (failure) {
    case 'denied':
      return `Access to your ${what} was denied. Allow it in the browser's site settings, then press ${button} again. The call goes on meanwhile.`
    case 'absent':
      return `No ${what} was found on this device. The call goes on without ${them}.`
    case 'busy':
      return `Your ${what} is in use by another app. Close that app, then press ${button} again.`
    case 'insecure':
      return describeMediaFailure('insecure', wanted)
    case 'unknown':
      return `Your ${what} could not be started. The call goes on without ${them}.`
  }
}

/** Opens the camera and/or microphone. Never returns a stream for 'receive-only'. */
export async function acquireLocalMedia(
  mode: MediaMode,
  choice: DeviceChoice = {},
): Promise<MediaStream | null> {
  if (mode === 'receive-only') return null
  if (!navigator.mediaDevices?.getUserMedia) throw new LocalMediaError('insecure', mode)
  const audio: MediaTrackConstraints = {
    deviceId: choice.microphoneId ? { exact: choice.microphoneId } : undefined,
    echoCancellation: true,
    noiseSuppression: true,
  }
  const video: MediaTrackConstraints | false =
    mode === 'camera-and-microphone'
      ? {
          deviceId: choice.cameraId ? { exact: choice.cameraId } : undefined,
          // 640x480 at up to 30 fps: a face at consultation distance, within a phone's uplink in a 4-way mesh.
          width: { ideal: 640 },
          height: { ideal: 480 },
          frameRate: { ideal: 30, max: 30 },
        }
      : false
  try {
    return await navigator.mediaDevices.getUserMedia({ audio, video })
  } catch (error) {
    throw new LocalMediaError(classifyMediaError(error), mode)
  }
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[]
  microphones: MediaDeviceInfo[]
}

export async function listDevices(): Promise<DeviceLists> {
  const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? []
  return {
    cameras: devices.filter((d) => d.kind === 'videoinput'),
    microphones: devices.filter((d) => d.kind === 'audioinput'),
  }
}
