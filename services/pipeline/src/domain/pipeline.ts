/** Pipeline rules, pure: stage validation and the built-in default pipeline. */

import type { Pipeline, PipelineInput, Stage } from '@relay/contracts/pipeline'
import { Conflict, Invalid, StaleVersion } from '@relay/core/outcomes'

/** A rule a request breaks, named by field (becomes one `errors[]` entry). */
export interface Problem {
  field: string
  code: string
  message: string
}

/**
 * The id of the pipeline every tenant has from the start (a valid ULID, the smallest one). Deals
 * created without `pipelineId` go there. A tenant can replace it with PUT /pipelines/{id}.
 */
export const DEFAULT_PIPELINE_ID = '00000000000000000000000000'

const EPOCH = '2026-01-01T00:00:00.000Z'

/** The built-in default pipeline, used until the tenant stores its own under {@link DEFAULT_PIPELINE_ID}. */
export const DEFAULT_PIPELINE: Pipeline = {
  id: DEFAULT_PIPELINE_ID,
  name: 'Sales',
  stages: [
    { id: 'qualification', name: 'Qualification', probability: 10, forecastCategory: 'pipeline' },
    { id: 'discovery', name: 'Discovery', probability: 25, forecastCategory: 'pipeline' },
    { id: 'proposal', name: 'Proposal', probability: 50, forecastCategory: 'best_case' },
    { id: 'negotiation', name: 'Negotiation', probability: 80, forecastCategory: 'commit' },
    { id: 'won', name: 'Won', probability: 100, forecastCategory: 'closed', outcome: 'won' },
    { id: 'lost', name: 'Lost', probability: 0, forecastCategory: 'omitted', outcome: 'lost' },
  ],
  version: 0,
  createdAt: EPOCH,
  updatedAt: EPOCH,
}

/**
 * Rules across a pipeline's stages: unique ids; open stages first, then the closing ones; exactly
 * one won stage (probability 100, category `closed`) and one lost stage (probability 0, category
 * `omitted`); open stages are never `closed`; at least one open stage.
 */
export function stageProblems(stages: readonly Stage[]): Problem[] {
  const problems: Problem[] = []
  const seen = new Set<string>()
  stages.forEach((s, i) => {
    if (seen.has(s.id))
      problems.push({
        field: `stages.${i}.id`,
        code: 'duplicate',
        message: `Stage id "${s.id}" is used twice`,
      })
    seen.add(s.id)
  })
  const won = stages.flatMap((s, i) => (s.outcome === 'won' ? [i] : []))
  const lost = stages.flatMap((s, i) => (s.outcome === 'lost' ? [i] : []))
  if (won.length !== 1)
    problems.push({
      field: 'stages',
      code: 'won_stage',
      message: 'Mark exactly one stage with outcome "won"',
    })
  if (lost.length !== 1)
    problems.push({
      field: 'stages',
      code: 'lost_stage',
      message: 'Mark exactly one stage with outcome "lost"',
    })
  const firstClosed = stages.findIndex((s) => s.outcome !== undefined)
  if (firstClosed === 0)
    problems.push({
      field: 'stages',
      code: 'open_stage',
      message: 'A pipeline needs at least one open stage first',
    })
  stages.forEach((s, i) => {
    if (s.outcome === undefined && firstClosed >= 0 && i > firstClosed)
      problems.push({
        field: `stages.${i}`,
        code: 'order',
        message: 'Open stages come before the won and lost stages',
      })
    if (s.outcome === undefined && s.forecastCategory === 'closed')
      problems.push({
        field: `stages.${i}.forecastCategory`,
        code: 'category',
        message: 'Only the won stage is "closed"',
      })
    if (s.outcome === 'won' && (s.probability !== 100 || s.forecastCategory !== 'closed'))
      problems.push({
        field: `stages.${i}`,
        code: 'won_stage',
        message: 'The won stage has probability 100 and category "closed"',
      })
    if (s.outcome === 'lost' && (s.probability !== 0 || s.forecastCategory !== 'omitted'))
      problems.push({
        field: `stages.${i}`,
        code: 'lost_stage',
        message: 'The lost stage has probability 0 and category "omitted"',
      })
  })
  return problems
}

/** A stored pipeline from validated input. */
export function buildPipeline(
  input: PipelineInput,
  ctx: { id: string; now: string; previous?: Pipeline | undefined },
): Pipeline {
  return {
    id: ctx.id,
    name: input.name,
    stages: input.stages.map((s) => ({ ...s })),
    version: (ctx.previous?.version ?? 0) + 1,
    createdAt: ctx.previous && ctx.previous.version > 0 ? ctx.previous.createdAt : ctx.now,
    updatedAt: ctx.now,
  }
}

/** The stage of a pipeline with this id. */
export const stageOf = (pipeline: Pipeline, stageId: string): Stage | undefined =>
  pipeline.stages.find((s) => s.id === stageId)

/** The first open stage: where new deals start. */
export const firstOpenStage = (pipeline: Pipeline): Stage => {
  const stage = pipeline.stages.find((s) => s.outcome === undefined) ?? pipeline.stages[0]
  if (!stage) throw new Error('A pipeline without stages')
  return stage
}

/** Refuses the input when there are problems: `Invalid`, one entry per bad field (core answers 400). */
export function assertNoProblems(problems: readonly Problem[]): void {
  if (problems.length) throw new Invalid([...problems])
}

/**
 * Refuses a change made from another version than the current one (`StaleVersion`: core answers
 * 412 to a request that sent If-Match, 409 otherwise); `read` undefined means the caller did not say.
 */
export function checkVersion(read: number | undefined, current: number): void {
  if (read !== undefined && read !== current) throw new StaleVersion()
}

/** Replacing a pipeline would remove stages that still hold deals: move them first. */
export class StagesInUse extends Conflict {
  constructor(stageIds: readonly string[]) {
    super(`Stages still holding deals cannot be removed: ${stageIds.join(', ')}.`, {
      stagesInUse: [...stageIds],
    })
  }
}

/** A deal's pipeline was deleted (only a stored one can be: the default always exists). */
export class PipelineGone extends Conflict {
  constructor() {
    super('The pipeline of this deal no longer exists.')
  }
}
