// <Canvas> only knows the classes of three-catalogue.ts (vite.config.ts redirects its `three` import there). An
// element whose class is missing fails only at run time, with "R3F: X is not part of the THREE namespace", when
// that element first mounts: this test finds every three.js element the scenes and the R3F libraries write.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import * as THREE from 'three'
import { describe, expect, it } from 'vitest'
import * as catalogue from './three-catalogue'

const root = path.resolve(import.meta.dirname, '../..')

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => ext.test(file))
    .map((file) => path.join(dir, file))
}

const toPascalCase = (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}`

/** Lowercase JSX element names whose PascalCase is a class three exports: what R3F looks up in its catalogue. */
function threeElements(sources: string[], pattern: RegExp): Map<string, string> {
  const found = new Map<string, string>()
  for (const file of sources) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const name = match[1] ?? ''
      if (toPascalCase(name) in THREE) found.set(name, path.relative(root, file))
    }
  }
  return found
}

describe('the three.js classes <Canvas> knows', () => {
  it('include every element the scenes use', () => {
    // Scene JSX lives in src/scenes (README's architecture); src/app draws DOM, where <audio> is not THREE.Audio.
    const scenes = filesUnder(path.join(root, 'src', 'scenes'), /\.tsx$/)
    const used = threeElements(scenes, /<([a-z][A-Za-z0-9]*)[\s/>]/g)
    expect(used.size).toBeGreaterThan(10)
    const missing = [...used].filter(([name]) => !(toPascalCase(name) in catalogue))
    expect(missing).toEqual([])
  })

  it('include every element the R3F libraries create', () => {
    const libraries = ['@react-three/xr', '@react-three/uikit', '@react-three/handle'].flatMap((name) =>
      filesUnder(path.join(root, 'node_modules', name, 'dist'), /\.js$/),
    )
    const used = threeElements(libraries, /(?:jsxs?|createElement)\(\s*["']([a-z][A-Za-z0-9]*)["']/g)
    expect(used.has('group')).toBe(true)
    const missing = [...used].filter(([name]) => !(toPascalCase(name) in catalogue))
    expect(missing).toEqual([])
  })
})
