// One region of the call screen (chat, vitals, alarms, guidance tools, participants, controls): if something in it
// cannot be drawn (a value from another device that breaks a formatter, say), that region says so in one plain
// sentence and everything around it goes on. Without it React unmounts the whole page: one chat message once left
// every receiver, and every later joiner, with an empty screen.
import { Component, type ErrorInfo, type ReactNode } from 'react'

interface RegionBoundaryProps {
  /** The region in words, for the sentence: "the chat", "the alarms". */
  name: string
  children: ReactNode
  /** What to show instead, for a small part of a region (one message): a sentence by default. */
  fallback?: ReactNode
}

export class RegionBoundary extends Component<RegionBoundaryProps, { failed: boolean }> {
  override state = { failed: false }

  static getDerivedStateFromError() {
    return { failed: true }
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    // For whoever reads the console; the person in the call gets the sentence.
    console.warn(`${this.props.name} could not be shown:`, error, info.componentStack)
  }

  override render() {
    if (!this.state.failed) return this.props.children
    if (this.props.fallback !== undefined) return this.props.fallback
    return (
      <p className="error region-error" role="alert" data-testid="region-error">
        {capitalise(this.props.name)} could not be shown: something in it was not valid. The rest of the call
        goes on.{' '}
        <button type="button" onClick={() => this.setState({ failed: false })}>
          Try again
        </button>
      </p>
    )
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
