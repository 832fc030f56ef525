// Sharing from the DOM: "Share a file" (a file picker, or a file dropped anywhere on the call screen; on a phone the
// picker offers the camera too) and "Share screen". A file is checked here before anything is sent: its format by
// content, its size, and that it opens (an image decodes, a PDF's first page is read, a DICOM image is readable);
// a file that fails gets one sentence, shown under the buttons, and nothing leaves this device.
import { type ChangeEvent, useEffect, useId, useRef, useState } from 'react'
import type { CallRuntime } from '../call/runtime'
import { SCREEN_LOCKED_HINT, SCREEN_LOCKED_SENTENCE } from '../room/hands'
import { acquireItem, releaseItem } from '../scenes/item-render'
import { checkFile } from '../share/intake'
import { EDUCATION_MODELS } from '../share/models'
import { FORMATS } from '../share/sniff'
import { usePage } from '../state/page-store'
import { useRuntime } from './runtime-context'

/** What the picker offers: the formats we share (the check is by content, this only narrows the picker). */
const ACCEPT =
  'image/png,image/jpeg,image/webp,application/pdf,application/dicom,.dcm,.glb,.gltf,model/gltf-binary'

/** Checks and shares one file; resolves with a sentence when it was refused (nothing sent), or null. */
export async function shareFile(runtime: CallRuntime, file: File): Promise<string | null> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  const intake = await checkFile(file.name, bytes, runtime.maxShareBytes)
  if (!intake.ok) return intake.sentence
  const format = FORMATS[intake.format]
  if (format.kind !== 'model') {
    // Open it as the others will: a file that cannot be shown here would not be shown there either.
    const probe = `check:${file.name}:${Date.now()}`
    try {
      await acquireItem(probe, intake.format, format.mime, bytes)
    } catch (error) {
      return `“${file.name}” could not be opened (${error instanceof Error ? error.message : 'damaged'}); nothing was shared.`
    } finally {
      releaseItem(probe)
    }
  }
  return runtime.share.shareFile(file.name, bytes)
}

export function ShareControls() {
  const runtime = useRuntime()
  const input = useRef<HTMLInputElement>(null)
  const [refusal, setRefusal] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [screen, setScreen] = useState<MediaStream | null>(null)
  // Large rooms: a screen is shared by those who send video (src/room/hands.ts maySendScreen), so it is locked
  // exactly when the camera is: the button is greyed out with the reason beside it, and comes alive when the
  // presenter lets us show video.
  const screenLocked = usePage((s) => s.cameraLocked)
  const lockedHint = useId()

  const share = async (files: readonly File[]) => {
    setBusy(true)
    setRefusal(null)
    try {
      for (const file of files) {
        const sentence = await shareFile(runtime, file)
        if (sentence) setRefusal(sentence)
      }
    } finally {
      setBusy(false)
    }
  }

  // A file dropped anywhere on the call screen is shared like a picked one.
  useEffect(() => {
    const over = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault()
    }
    const drop = (event: DragEvent) => {
      const files = [...(event.dataTransfer?.files ?? [])]
      if (files.length === 0) return
      event.preventDefault()
      void share(files)
    }
    addEventListener('dragover', over)
    addEventListener('drop', drop)
    return () => {
      removeEventListener('dragover', over)
      removeEventListener('drop', drop)
    }
  })

  const stopScreen = () => {
    for (const track of screen?.getTracks() ?? []) track.stop()
    runtime.shareScreen(null)
    setScreen(null)
  }
  useEffect(() => () => runtime.shareScreen(null), [runtime])
  // Stopped without our asking (the presenter stopped our video, or the media server refused or lost the share).
  useEffect(
    () =>
      runtime.onScreenStopped((sentence) => {
        setScreen(null)
        setRefusal(sentence)
      }),
    [runtime],
  )

  const startScreen = async () => {
    if (screenLocked) return
    setRefusal(null)
    try {
      // With its audio where the browser offers it (a tab's sound, on some systems the whole screen's).
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true })
      stream.getVideoTracks()[0]?.addEventListener('ended', () => {
        runtime.shareScreen(null)
        setScreen(null)
      })
      runtime.shareScreen(stream)
      setScreen(stream)
    } catch (error) {
      if ((error as { name?: string }).name !== 'NotAllowedError')
        setRefusal('Your screen could not be shared: this browser or device does not offer it.')
    }
  }

  return (
    <span className="share-controls">
      <button type="button" onClick={() => input.current?.click()} disabled={busy} data-testid="share-file">
        {busy ? 'Checking…' : 'Share a file'}
      </button>
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        multiple
        hidden
        data-testid="share-file-input"
        onChange={(event: ChangeEvent<HTMLInputElement>) => {
          const files = [...(event.target.files ?? [])]
          event.target.value = ''
          void share(files)
        }}
      />
      <select
        aria-label="Share an education model"
        value=""
        disabled={busy}
        data-testid="share-model"
        onChange={async (event) => {
          const model = EDUCATION_MODELS.find((candidate) => candidate.file === event.target.value)
          if (!model) return
          // From this server, like the rest of the app.
          const response = await fetch(`/models/${model.file}`).catch(() => null)
          if (!response?.ok) {
            setRefusal('The model could not be loaded from the server.')
            return
          }
          void share([new File([await response.blob()], `${model.title}.glb`, { type: 'model/gltf-binary' })])
        }}
      >
        <option value="">Share a model…</option>
        {EDUCATION_MODELS.map((model) => (
          <option key={model.file} value={model.file}>
            {model.title}
          </option>
        ))}
      </select>
      {typeof navigator.mediaDevices?.getDisplayMedia === 'function' && (
        <>
          <button
            type="button"
            onClick={() => (screen ? stopScreen() : void startScreen())}
            aria-pressed={screen !== null}
            disabled={screenLocked && !screen}
            title={screenLocked && !screen ? SCREEN_LOCKED_SENTENCE : undefined}
            aria-describedby={screenLocked && !screen ? lockedHint : undefined}
            data-testid="share-screen"
          >
            {screen ? 'Stop sharing screen' : 'Share screen'}
          </button>
          {screenLocked && !screen && (
            <span className="hint screen-locked" id={lockedHint} data-testid="share-screen-hint">
              {SCREEN_LOCKED_HINT}
            </span>
          )}
        </>
      )}
      {refusal && (
        <p className="error" role="alert" data-testid="share-refusal">
          {refusal}{' '}
          {/* It stays until read, and on a phone it sits in the toolbar kept at the bottom of the screen. */}
          <button type="button" onClick={() => setRefusal(null)} data-testid="share-refusal-dismiss">
            Dismiss
          </button>
        </p>
      )}
    </span>
  )
}
