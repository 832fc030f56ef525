// The aftercare plan as a FHIR R4 CarePlan for the record's export (fhir.ts): the instructions as its
// description, each medication, home measurement and the follow-up as an activity with its schedule (Timing with
// times of day, a period and a duration for the course; a Period for the appointment), and the warning signs as
// notes. Coded only as text: the clinician typed free words ("Paracetamol 500 mg"), and inventing codes for them
// would claim a precision the plan does not have. Pure.
import type {
  CarePlan,
  CarePlanActivity,
  Duration,
  Patient,
  Practitioner,
  Reference,
} from '@medplum/fhirtypes'
import type { HomeMeasurement, Medication, ReceivedPlan } from '../care/aftercare'

const UCUM = 'http://unitsofmeasure.org'

const days = (value: number): Duration => ({ value, unit: 'd', system: UCUM, code: 'd' })

/** "08:00" as FHIR's `time` ("08:00:00"). */
const timeOfDay = (time: string) => `${time}:00`

function medicationActivity(m: Medication): CarePlanActivity {
  return {
    detail: {
      kind: 'MedicationRequest',
      status: 'scheduled',
      productCodeableConcept: { text: m.name },
      ...(m.dose ? { description: m.dose } : {}),
      scheduledTiming: {
        repeat: {
          boundsDuration: days(m.days),
          frequency: m.times.length,
          period: 1,
          periodUnit: 'd',
          timeOfDay: m.times.map(timeOfDay),
        },
      },
    },
  }
}

function measurementActivity(m: HomeMeasurement): CarePlanActivity {
  return {
    detail: {
      // A measurement at home is an observation asked of the patient: what a ServiceRequest asks for.
      kind: 'ServiceRequest',
      status: 'scheduled',
      code: { text: m.what },
      description: `Measure at home: ${m.what}`,
      scheduledTiming: {
        repeat: {
          boundsDuration: days(m.days),
          frequency: m.times.length,
          period: m.everyDays,
          periodUnit: 'd',
          timeOfDay: m.times.map(timeOfDay),
        },
      },
    },
  }
}

/**
 * The plan as a CarePlan about `subject`, by `author` if the record names the clinician. `id`: the resource id
 * (the Bundle's urn:uuid).
 */
export function carePlanResource(
  received: ReceivedPlan,
  id: string,
  subject: Reference<Patient>,
  author?: Reference<Practitioner>,
): CarePlan {
  const { plan } = received
  const activity: CarePlanActivity[] = [
    ...plan.medications.map(medicationActivity),
    ...plan.measurements.map(measurementActivity),
  ]
  if (plan.followUp)
    activity.push({
      detail: {
        kind: 'Appointment',
        status: 'scheduled',
        code: { text: 'Follow-up appointment' },
        scheduledPeriod: {
          start: new Date(plan.followUp.start).toISOString(),
          end: new Date(plan.followUp.start + plan.followUp.durationMinutes * 60_000).toISOString(),
        },
        ...(plan.followUp.note ? { description: plan.followUp.note } : {}),
      },
    })
  return {
    resourceType: 'CarePlan',
    id,
    status: 'active',
    intent: 'plan',
    title: 'Aftercare plan',
    ...(plan.instructions ? { description: plan.instructions } : {}),
    subject,
    created: new Date(received.at).toISOString(),
    ...(author ? { author } : {}),
    ...(activity.length ? { activity } : {}),
    ...(plan.warningSigns.length
      ? { note: plan.warningSigns.map((sign) => ({ text: `Warning sign, seek urgent care: ${sign}` })) }
      : {}),
  }
}
