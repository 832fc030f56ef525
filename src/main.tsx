import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App, readInviteFromLocation } from './app/app'
import { emulatorRequested, installEmulator } from './xr/emulator'
import './app/styles.css'

async function start() {
  const emulator = emulatorRequested(location.search)
  // The emulator must be in place before anything asks navigator.xr what it supports.
  if (emulator) await installEmulator(emulator)
  const root = document.getElementById('root')
  if (!root) throw new Error('index.html has no #root element')
  readInviteFromLocation()
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}

void start()
