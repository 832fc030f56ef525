import { describe, expect, it } from 'vitest'
import { classifyMediaError, describeMediaFailure, describeMediaFailureInCall } from './local-media'

describe('media failures', () => {
  it('classifies the browser errors getUserMedia throws', () => {
    expect(classifyMediaError(new DOMException('x', 'NotAllowedError'))).toBe('denied')
    expect(classifyMediaError(new DOMException('x', 'NotFoundError'))).toBe('absent')
    expect(classifyMediaError(new DOMException('x', 'NotReadableError'))).toBe('busy')
    expect(classifyMediaError(new Error('weird'))).toBe('unknown')
    expect(classifyMediaError(null)).toBe('unknown')
  })

  it('says each failure in a sentence that offers a way on', () => {
    for (const failure of ['denied', 'absent', 'busy', 'insecure', 'unknown'] as const) {
      const sentence = describeMediaFailure(failure, 'camera-and-microphone')
      expect(sentence).toMatch(/^[A-Z].*\.$/)
    }
    expect(describeMediaFailure('denied', 'microphone-only')).toContain('microphone')
    expect(describeMediaFailure('denied', 'microphone-only')).not.toContain('camera')
  })

  it('says them to someone already in the call without offering to join', () => {
    for (const failure of ['denied', 'absent', 'busy', 'unknown'] as const) {
      const sentence = describeMediaFailureInCall(failure)
      expect(sentence).toMatch(/^[A-Z].*\.$/)
      expect(sentence).not.toContain('join')
    }
    expect(describeMediaFailureInCall('denied')).toContain('Turn camera on')
    // Asked for the microphone alone (someone let speak who has none): the sentence names only the microphone.
    for (const failure of ['denied', 'absent', 'busy', 'insecure', 'unknown'] as const) {
      const sentence = describeMediaFailureInCall(failure, 'microphone-only')
      expect(sentence).toMatch(/^[A-Z].*\.$/)
      expect(sentence).toContain('microphone')
      expect(sentence).not.toContain('camera')
    }
    expect(describeMediaFailureInCall('denied', 'microphone-only')).toContain('Turn microphone on')
  })
})
