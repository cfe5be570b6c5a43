import type { Param } from '../../../tensor/tape.js';
import { createTextProjection, type TextProjection, type UserCandidates } from '../align.js';
import { type PluginContext, requireText, type TextInputName, type TextPair } from '../context.js';
import { copyProjector, createProjector, emaUpdate, type Projector } from '../projector.js';

/** A text matrix with its projector (shared by users and items, as IRLLRec's `mlp` / `int_mlp`). */
export interface TextBranch {
  readonly pair: TextPair;
  readonly proj: Projector;
  readonly text: TextProjection;
}

/**
 * Textual Motivation Encoder (method.md §B.2): ŝ = f_S(S) and t = f_M(M), plus the momentum teacher f_M^tch,
 * a copy of f_M that takes no gradient and follows θ_tch ← m·θ_tch + (1−m)·θ after every optimiser step.
 * Only the branches some enabled loss uses are built (and only their text is required).
 */
export interface Tme {
  readonly semantic?: TextBranch;
  readonly motivation?: TextBranch;
  readonly teacher?: Projector;
  /** f_S and f_M parameters (the L2 term's scope). */
  readonly trainable: readonly Param[];
  /** EMA step of the teacher toward f_M (no-op without a teacher). */
  ema(momentum: number): void;
}

export function createTme(
  ctx: PluginContext,
  opts: { semantic: boolean; motivation: boolean; teacher: boolean; userCandidates: UserCandidates },
): Tme {
  const branch = (which: TextInputName, name: string): TextBranch => {
    const pair = requireText(ctx, 'lmmrec', which);
    const proj = createProjector(name, pair.users.cols, ctx.dim, ctx.rng.derive(name));
    return { pair, proj, text: createTextProjection(pair, proj, opts.userCandidates) };
  };
  const semantic = opts.semantic ? branch('semantic', 'semMlp') : undefined;
  const motivation = opts.motivation || opts.teacher ? branch('motivation', 'motMlp') : undefined;
  const teacher = opts.teacher && motivation ? copyProjector('motMlpTeacher', motivation.proj) : undefined;
  return {
    semantic,
    motivation,
    teacher,
    trainable: [...(semantic?.proj.params ?? []), ...(motivation?.proj.params ?? [])],
    ema(momentum) {
      if (teacher && motivation) emaUpdate(teacher.params, motivation.proj.params, momentum);
    },
  };
}
