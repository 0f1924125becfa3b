/**
 * One thing wrong with a contact write, named by its field (`emails.0.address`,
 * `customFields.vat`). Apart from `contact.ts` so that the rule modules it uses (custom fields) can
 * name problems without importing it back.
 */
export interface ContactProblem {
  field: string
  message: string
  code: string
}
