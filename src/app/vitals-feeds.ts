// The two vitals feeds of this page (instances, no logic), apart from the modules that fill them so that the call
// controller and the vitals controller can both use them without importing each other.
import { VitalsFeed } from '../vitals/feed'

/** What the other participants share with us; the monitors, the alarms and the record read it. */
export const remoteVitals = new VitalsFeed()
/** What we share, for our own view of it. */
export const ownVitals = new VitalsFeed()
/** The key under which our own vitals are kept in `ownVitals`. */
export const SELF = 'self'
