// The little of dcmjs (a devDependency) that the test kit uses to write DICOM files; dcmjs ships no types.
declare module 'dcmjs' {
  export interface DicomDictInstance {
    dict: Record<string, unknown>
    write(): ArrayBuffer
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance
      DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown> }
    }
  }
  export default dcmjs
}
