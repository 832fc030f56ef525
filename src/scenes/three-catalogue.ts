// The three.js classes the scene's JSX may create. R3F's <Canvas> registers the whole `three` namespace
// (`extend(THREE)`) so that any lowercase element resolves; that one call keeps all of three in the bundle (its
// loaders, animation system, curves, extra geometries and lights: tens of KB gzip no scene here uses). The build
// hands <Canvas> this module in place of `three` (vite.config.ts, `threeCatalogueForCanvas`), so only these stay.
// Add a class here when a scene starts using its element (`<torusGeometry>` needs TorusGeometry):
// src/scenes/three-catalogue.test.ts fails for an element of src/scenes or of a library's JSX that is missing.
export {
  AmbientLight,
  BoxGeometry,
  Color,
  ConeGeometry,
  CylinderGeometry,
  DirectionalLight,
  GridHelper,
  Group,
  HemisphereLight,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  MeshStandardMaterial,
  PlaneGeometry,
  SphereGeometry,
  Sprite,
  SpriteMaterial,
} from 'three'
