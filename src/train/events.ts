/**
 * Progress events of the training loop. The library only emits them; the CLI draws a bar and `serve/` could
 * stream them. Loss values are per-term means over the epoch's steps (per step for `step`).
 */
export type TrainEvent =
  | { type: 'start'; startEpoch: number; maxEpochs: number; stepsPerEpoch: number; resumed: boolean }
  | { type: 'step'; epoch: number; step: number; steps: number; loss: Record<string, number>; stepMs: number }
  | {
      type: 'epoch'; epoch: number; loss: Record<string, number>; epochMs: number;
      /**
       * Time left if validation never improves again (the earliest early stop, capped by the epoch limit),
       * from this session's mean epoch and validation times. A lower bound, not a promise.
       */
      etaMs: number;
    }
  | {
      type: 'validate'; epoch: number; metrics: Record<string, number>; value: number; improved: boolean;
      bestEpoch: number; best: number; badEvals: number; evalMs: number;
    }
  | { type: 'checkpoint'; epoch: number; path: string; kind: 'last' | 'best' }
  | { type: 'stop'; epoch: number; reason: 'early-stop' | 'max-epochs'; bestEpoch: number | null };
