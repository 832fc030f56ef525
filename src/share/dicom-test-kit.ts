// DICOM Part 10 files made with dcmjs, for the tests (unit, fuzz and browser): a known pixel ramp, with the window,
// photometric interpretation, bit depth and frame count a test asks for.
import dcmjs from 'dcmjs'

export interface TestDicomOptions {
  rows?: number
  columns?: number
  frames?: number
  photometric?: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB'
  bits?: 8 | 16
  signed?: boolean
  /** The stored value of a pixel (a sample, for RGB: channel c). */
  value?: (x: number, y: number, frame: number, channel: number) => number
  window?: { centre: number; width: number }
  /** Several windows (Window Center/Width are multi-valued); wins over `window`. */
  windows?: Array<{ centre: number; width: number }>
  modality?: string
  slope?: number
  intercept?: number
  /** Defaults to explicit VR little endian. */
  transferSyntax?: string
}

/** The default ramp: column x of a 16-bit image holds x × 16 (0 … 4080 over 256 columns), the same on every row. */
export const rampValue = (x: number) => x * 16

export function makeDicom(options: TestDicomOptions = {}): Uint8Array {
  const {
    rows = 16,
    columns = 256,
    frames = 1,
    photometric = 'MONOCHROME2',
    bits = photometric === 'RGB' ? 8 : 16,
    signed = false,
    value = (x: number) => rampValue(x),
    window,
    windows = window ? [window] : [],
    modality = 'OT',
    slope,
    intercept,
    transferSyntax = '1.2.840.10008.1.2.1',
  } = options
  const samples = photometric === 'RGB' ? 3 : 1
  const count = rows * columns * samples * frames
  const pixels =
    bits === 16 ? (signed ? new Int16Array(count) : new Uint16Array(count)) : new Uint8Array(count)
  let i = 0
  for (let f = 0; f < frames; f++)
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < columns; x++) for (let c = 0; c < samples; c++) pixels[i++] = value(x, y, f, c)
  const { DicomDict, DicomMetaDictionary } = dcmjs.data
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    MediaStorageSOPInstanceUID: '1.2.826.0.1.3680043.8.498.1',
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: '1.2.826.0.1.3680043.8.498.2',
  }
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta))
  dict.dict = DicomMetaDictionary.denaturalizeDataset({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    SOPInstanceUID: '1.2.826.0.1.3680043.8.498.1',
    Modality: modality,
    Rows: rows,
    Columns: columns,
    SamplesPerPixel: samples,
    PhotometricInterpretation: photometric,
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: signed ? 1 : 0,
    ...(samples === 3 ? { PlanarConfiguration: 0 } : {}),
    ...(frames > 1 ? { NumberOfFrames: String(frames) } : {}),
    ...(windows.length > 0
      ? {
          WindowCenter: windows.map((w) => String(w.centre)).join('\\'),
          WindowWidth: windows.map((w) => String(w.width)).join('\\'),
        }
      : {}),
    ...(slope !== undefined ? { RescaleSlope: String(slope), RescaleIntercept: String(intercept ?? 0) } : {}),
    PixelData: pixels.buffer,
    _vrMap: { PixelData: bits === 16 ? 'OW' : 'OB' },
  })
  return new Uint8Array(dict.write())
}
