// A stand-in for three's GLTFLoader that fetches the real one the first time a model is loaded.
//
// @pmndrs/xr creates a GLTFLoader when it is imported (`DefaultGltfLoader`, for controller and hand models) and
// @react-three/xr's hand model names the class for R3F's useLoader, so the real loader (about 13 KB gzip, plus
// BufferGeometryUtils' part it needs) came with the 3D view although a desktop or phone call never loads a glTF.
// The build hands those two modules this file in place of GLTFLoader.js (vite.config.ts, `lazyGltfLoaderForXr`);
// in a headset the real loader arrives with the first controller or hand model, one chunk from this origin.
//
// What the callers use, and so what this implements: `loadAsync(url)` (@pmndrs/xr's loadXRControllerModel and
// loadXRHandModel) and `new GLTFLoader()` + `load(url, onLoad, onProgress, onError)` (R3F's useLoader, which
// memoizes one instance per class and, without an extensions callback, calls nothing else). The Loader setters
// are here too so that a caller configuring the default loader keeps working; they reach the real loader before
// each load.
import type { LoadingManager } from 'three'
import type { GLTF, GLTFLoader as RealGLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js'

export type ImportGLTFLoader = () => Promise<{ GLTFLoader: typeof RealGLTFLoader }>

/** A GLTFLoader-shaped class whose instances import the real loader (through `importLoader`) on first use. */
export function lazyGLTFLoaderClass(importLoader: ImportGLTFLoader) {
  // One import for every instance; forgotten when it fails, so that a chunk lost to a network blip is fetched
  // again at the next load rather than never.
  let realClass: Promise<typeof RealGLTFLoader> | undefined
  const loadRealClass = () => {
    realClass ??= importLoader().then(
      (module) => module.GLTFLoader,
      (error: unknown) => {
        realClass = undefined
        throw error
      },
    )
    return realClass
  }

  return class LazyGLTFLoader {
    crossOrigin = 'anonymous'
    withCredentials = false
    path = ''
    resourcePath = ''
    requestHeader: Record<string, string> = {}
    readonly manager: LoadingManager | undefined
    private real: RealGLTFLoader | undefined

    constructor(manager?: LoadingManager) {
      this.manager = manager
    }

    setCrossOrigin(crossOrigin: string): this {
      this.crossOrigin = crossOrigin
      return this
    }
    setWithCredentials(value: boolean): this {
      this.withCredentials = value
      return this
    }
    setPath(path: string): this {
      this.path = path
      return this
    }
    setResourcePath(resourcePath: string): this {
      this.resourcePath = resourcePath
      return this
    }
    setRequestHeader(requestHeader: Record<string, string>): this {
      this.requestHeader = requestHeader
      return this
    }

    load(
      url: string,
      onLoad: (gltf: GLTF) => void,
      onProgress?: (event: ProgressEvent) => void,
      onError?: (error: unknown) => void,
    ): void {
      loadRealClass().then(
        (GLTFLoader) => {
          this.real ??= new GLTFLoader(this.manager)
          this.real
            .setCrossOrigin(this.crossOrigin)
            .setWithCredentials(this.withCredentials)
            .setPath(this.path)
            .setResourcePath(this.resourcePath)
            .setRequestHeader(this.requestHeader)
            .load(url, onLoad, onProgress, onError)
        },
        // As three's GLTFLoader does with an error nobody asked for.
        (error: unknown) => (onError ? onError(error) : console.error(error)),
      )
    }

    loadAsync(url: string, onProgress?: (event: ProgressEvent) => void): Promise<GLTF> {
      return new Promise((resolve, reject) => this.load(url, resolve, onProgress, reject))
    }
  }
}

/** What the build gives @pmndrs/xr and @react-three/xr under the name GLTFLoader. */
export const GLTFLoader = lazyGLTFLoaderClass(() => import('three/examples/jsm/loaders/GLTFLoader.js'))
