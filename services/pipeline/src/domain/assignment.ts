/** Lead assignment rules, pure: validation, which team takes a lead, which member of the team. */
import type { AssignmentTeam, Lead, LeadAssignment, LeadAssignmentInput } from '@relay/contracts/leads'
import type { Problem } from './pipeline.js'

const fold = (v: unknown) =>
  String(v)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()

/** Problems of a rule set: unique team ids, rules and the default naming existing teams. */
export function assignmentProblems(input: LeadAssignmentInput): Problem[] {
  const problems: Problem[] = []
  const ids = new Set<string>()
  input.teams.forEach((t, i) => {
    if (ids.has(t.id))
      problems.push({ field: `teams.${i}.id`, code: 'duplicate', message: `Team ${t.id} is defined twice` })
    ids.add(t.id)
  })
  input.rules.forEach((r, i) => {
    if (!ids.has(r.team))
      problems.push({ field: `rules.${i}.team`, code: 'unknown_team', message: `No team ${r.team}` })
  })
  if (input.defaultTeam && !ids.has(input.defaultTeam))
    problems.push({ field: 'defaultTeam', code: 'unknown_team', message: `No team ${input.defaultTeam}` })
  return problems
}

/** The team that takes a lead: the first matching rule's, else the default team, else none. */
export function pickTeam(
  lead: Partial<Lead>,
  settings: Pick<LeadAssignment, 'teams' | 'rules' | 'defaultTeam'>,
): { team: AssignmentTeam; ruleIndex?: number } | undefined {
  const teams = new Map(settings.teams.map((t) => [t.id, t]))
  for (const [i, rule] of settings.rules.entries()) {
    const value = lead[rule.field]
    if (value === undefined || value === null || value === '') continue
    if (!rule.values.some((v) => fold(v) === fold(value))) continue
    const team = teams.get(rule.team)
    if (team) return { team, ruleIndex: i }
  }
  const fallback = settings.defaultTeam ? teams.get(settings.defaultTeam) : undefined
  return fallback ? { team: fallback } : undefined
}

/**
 * Round-robin: the n-th assignment of a team (n from an atomic counter, starting at 1) goes to
 * member (n − 1) mod size, so any n consecutive counter values spread evenly whatever the order
 * in which concurrent requests finish.
 */
export function roundRobinMember(members: readonly string[], n: number): string {
  const i = (((n - 1) % members.length) + members.length) % members.length
  return members[i] as string
}

/** Lowest open load: the member with the fewest open leads; ties go to the one listed first. */
export function lowestLoadMember(members: readonly string[], load: ReadonlyMap<string, number>): string {
  let best = members[0] as string
  for (const m of members) if ((load.get(m) ?? 0) < (load.get(best) ?? 0)) best = m
  return best
}
