import '../src/scenes/scene-probe-types'
