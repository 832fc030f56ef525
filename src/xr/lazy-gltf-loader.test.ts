// The GLTFLoader stand-in of the XR libraries (./lazy-gltf-loader.ts) against the real loader, loading a real GLB
// over HTTP from a server in this process, as a headset loads its controller models from our origin.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Mesh } from 'three'
import type { GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeBoxGlb } from '../share/gltf-test-kit'
import { type ImportGLTFLoader, lazyGLTFLoaderClass } from './lazy-gltf-loader'

// three's FileLoader reports download progress with the browser's ProgressEvent, which Node 20 lacks: the few
// fields it sets, on a plain Event.
class NodeProgressEvent extends Event {
  readonly lengthComputable: boolean
  readonly loaded: number
  readonly total: number
  constructor(type: string, init: { lengthComputable?: boolean; loaded?: number; total?: number } = {}) {
    super(type)
    this.lengthComputable = init.lengthComputable ?? false
    this.loaded = init.loaded ?? 0
    this.total = init.total ?? 0
  }
}
const globals = globalThis as { ProgressEvent?: unknown }
globals.ProgressEvent ??= NodeProgressEvent

let server: Server
let origin: string

beforeAll(async () => {
  const box = makeBoxGlb()
  server = createServer((request, response) => {
    if (request.url === '/box.glb') {
      response.writeHead(200, { 'content-type': 'model/gltf-binary' }).end(box)
    } else if (request.url === '/not-a-model.glb') {
      response.writeHead(200, { 'content-type': 'model/gltf-binary' }).end('this is no glTF')
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** The real import, counted. */
function countedImport() {
  const counter = { imports: 0 }
  const importLoader: ImportGLTFLoader = () => {
    counter.imports++
    return import('three/examples/jsm/loaders/GLTFLoader.js')
  }
  return { counter, importLoader }
}

function meshesOf(gltf: GLTF): Mesh[] {
  const meshes: Mesh[] = []
  gltf.scene.traverse((object) => {
    if ((object as Mesh).isMesh) meshes.push(object as Mesh)
  })
  return meshes
}

describe('the lazy GLTFLoader', () => {
  it('imports nothing until a model is loaded', () => {
    const { counter, importLoader } = countedImport()
    const Loader = lazyGLTFLoaderClass(importLoader)
    // As @pmndrs/xr does at import (its DefaultGltfLoader) and R3F's useLoader at first use.
    new Loader().setPath('').setCrossOrigin('anonymous')
    expect(counter.imports).toBe(0)
  })

  it('imports the real loader once, for every instance and load, and passes the model it read through', async () => {
    const { counter, importLoader } = countedImport()
    const Loader = lazyGLTFLoaderClass(importLoader)
    const loader = new Loader()
    // loadAsync, as loadXRControllerModel and loadXRHandModel call it; two at once, as both controllers do.
    const [left, right] = await Promise.all([
      loader.loadAsync(`${origin}/box.glb`),
      new Loader().loadAsync(`${origin}/box.glb`),
    ])
    // load with callbacks, as R3F's useLoader calls it.
    const viaCallbacks = await new Promise<GLTF>((resolve, reject) =>
      loader.load(`${origin}/box.glb`, resolve, undefined, reject),
    )
    expect(counter.imports).toBe(1)
    for (const gltf of [left, right, viaCallbacks]) {
      const meshes = meshesOf(gltf)
      expect(meshes).toHaveLength(1)
      // The cube's 36 vertices (6 faces, 2 triangles each), as makeBoxGlb wrote them, and its part name.
      expect(meshes[0]?.geometry.getAttribute('position').count).toBe(36)
      expect(meshes[0]?.name).toBe('cube')
    }
  })

  it('resolves paths against setPath, as the real loader does', async () => {
    const Loader = lazyGLTFLoaderClass(countedImport().importLoader)
    const gltf = await new Loader().setPath(`${origin}/`).loadAsync('box.glb')
    expect(meshesOf(gltf)).toHaveLength(1)
  })

  it('hands a missing file and an unreadable one to onError, and rejects loadAsync', async () => {
    const Loader = lazyGLTFLoaderClass(countedImport().importLoader)
    const loader = new Loader()
    const missing = await new Promise<unknown>((resolve) =>
      loader.load(`${origin}/missing.glb`, () => resolve('loaded'), undefined, resolve),
    )
    expect(missing).toBeInstanceOf(Error)
    await expect(loader.loadAsync(`${origin}/not-a-model.glb`)).rejects.toThrow()
  })

  it('reports a failed import to onError and to loadAsync, and imports again at the next load', async () => {
    let imports = 0
    const Loader = lazyGLTFLoaderClass(() => {
      imports++
      // The first import fails as a chunk request does when the network drops; the next one is the real one.
      return imports === 1
        ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
        : import('three/examples/jsm/loaders/GLTFLoader.js')
    })
    const loader = new Loader()
    const failure = await new Promise<unknown>((resolve) =>
      loader.load(`${origin}/box.glb`, () => resolve('loaded'), undefined, resolve),
    )
    expect(failure).toBeInstanceOf(TypeError)
    const gltf = await loader.loadAsync(`${origin}/box.glb`)
    expect(meshesOf(gltf)).toHaveLength(1)
    expect(imports).toBe(2)
  })

  it('rejects loadAsync when the import fails', async () => {
    const Loader = lazyGLTFLoaderClass(() =>
      Promise.reject(new TypeError('Failed to fetch dynamically imported module')),
    )
    await expect(new Loader().loadAsync(`${origin}/box.glb`)).rejects.toThrow('Failed to fetch')
  })
})
