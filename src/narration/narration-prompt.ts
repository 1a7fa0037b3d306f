/**
 * @file The prompt for one scene: the memory tokens of up to `memoryScenes` earlier scenes (role `memory`, oldest
 * first), then the scene's frames (role `scene`, one segment per frame), and the instruction followed by the most
 * recent narration text (bounded), so each narration is conditioned on what came before without the context growing.
 */
import type { FeatureGrid } from '../core/feature-grid.js';
import { perFrameSegments, visualSegment, type TokenStream } from '../core/token-stream.js';
import type { SceneMemory } from '../strategies/scene-tilling/scene-tilling.js';

/** Characters of earlier narration quoted in the instruction at most. */
export const previousNarrationCharacters = 300;

export interface RememberedScene {
  readonly scene: number;
  readonly memory: SceneMemory;
}

/** The token stream of one scene with its memories (already chosen and ordered oldest first). */
export function narrationTokenStream(
  frames: FeatureGrid,
  memories: readonly RememberedScene[],
  encoderName: string,
): TokenStream {
  return {
    dim: frames.D,
    segments: [
      ...memories.map((remembered) => visualSegment('memory', remembered.memory)),
      ...perFrameSegments(frames, 'scene'),
    ],
    metadata: {
      pipeline: 'narrate',
      encoder: encoderName,
      params: { memoryScenes: memories.map((remembered) => remembered.scene) },
      approximation:
        "narrate: earlier scenes are remembered as pooled memory tokens (training-free stand-in for VideoLLaMB's memory bridge).",
    },
  };
}

/** The instruction, with the latest narration quoted (trimmed to its last `previousNarrationCharacters`). */
export function narrationQuestion(prompt: string, previousNarration: string): string {
  const previous = previousNarration.replace(/\s+/g, ' ').trim();
  if (previous === '') return prompt;
  const quoted =
    previous.length > previousNarrationCharacters ? `…${previous.slice(-previousNarrationCharacters)}` : previous;
  return `Earlier: "${quoted}"\n${prompt}`;
}
