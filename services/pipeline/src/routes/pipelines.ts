/**
 * Pipeline routes: pipelines of stages.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */
import { PaginationQuery } from '@relay/contracts/common'
import { IdParams, Pipeline, PipelineInput, PipelinePage } from '@relay/contracts/pipeline'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

const STAGES_EXAMPLE = {
  name: 'Enterprise',
  stages: [
    { id: 'discovery', name: 'Discovery', probability: 20, forecastCategory: 'pipeline' },
    { id: 'proposal', name: 'Proposal', probability: 50, forecastCategory: 'best_case' },
    { id: 'contract', name: 'Contract sent', probability: 90, forecastCategory: 'commit' },
    { id: 'won', name: 'Won', probability: 100, forecastCategory: 'closed', outcome: 'won' },
    { id: 'lost', name: 'Lost', probability: 0, forecastCategory: 'omitted', outcome: 'lost' },
  ],
}

export const createPipeline = /* @__PURE__ */ route({
  method: 'POST',
  path: '/pipelines',
  function: 'create-pipeline',
  roles: MANAGERS,
  summary:
    'Create a pipeline: ordered stages with win probability and forecast category, one won and one lost stage',
  body: PipelineInput,
  example: STAGES_EXAMPLE,
  response: { status: 201, schema: Pipeline },
})

export const listPipelines = /* @__PURE__ */ route({
  method: 'GET',
  path: '/pipelines',
  function: 'list-pipelines',
  roles: ANY_ROLE,
  summary:
    "The tenant's pipelines, newest first (the built-in default is /pipelines/00000000000000000000000000)",
  query: PaginationQuery,
  response: { status: 200, schema: PipelinePage },
})

export const getPipeline = /* @__PURE__ */ route({
  method: 'GET',
  path: '/pipelines/{id}',
  function: 'get-pipeline',
  roles: ANY_ROLE,
  params: IdParams,
  summary: 'Read a pipeline',
  response: { status: 200, schema: Pipeline },
})

export const replacePipeline = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/pipelines/{id}',
  function: 'replace-pipeline',
  roles: MANAGERS,
  params: IdParams,
  summary: "Replace a pipeline's name and stages (If-Match)",
  body: PipelineInput,
  example: STAGES_EXAMPLE,
  response: { status: 200, schema: Pipeline },
})

/** In the order the API documentation lists them. */
export const pipelineRoutes = [createPipeline, listPipelines, getPipeline, replacePipeline]
