// The education models shipped in public/models (made by scripts/build-models.mjs, licensed with the repository),
// with a few of their named parts: what the share menu offers and the tests check.
export const EDUCATION_MODELS = [
  { file: 'heart.glb', title: 'Heart', parts: ['Left ventricle', 'Right atrium', 'Aorta', 'Mitral valve'] },
  {
    file: 'knee.glb',
    title: 'Knee joint',
    parts: ['Femur', 'Tibia', 'Patella', 'Medial meniscus', 'Anterior cruciate ligament'],
  },
  {
    file: 'lumbar-segment.glb',
    title: 'Lumbar segment (L4-L5)',
    parts: ['L4 vertebral body', 'Nucleus pulposus', 'Cauda equina', 'Left L4 nerve root'],
  },
] as const
