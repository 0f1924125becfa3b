/** Reminder emails through SES (SES_ENDPOINT locally, MAIL_FROM as sender), client created on first use. */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses'
import type { Activity } from '@relay/contracts/activities'

let client: SESClient | undefined

/** The SES client; the endpoint is read on first use because the local runtime sets it after import. */
export function sesClient(): SESClient {
  client ??= new SESClient(process.env.SES_ENDPOINT ? { endpoint: process.env.SES_ENDPOINT } : {})
  return client
}

/** Drops the cached client (tests). */
export function resetSesClient(): void {
  client = undefined
}

/** The reminder email of an activity (plain text; the subject line names the activity). */
export function reminderEmail(activity: Activity, name?: string) {
  const due = activity.dueAt ? ` (due ${activity.dueAt.replace('T', ' ').slice(0, 16)} UTC)` : ''
  return {
    subject: `Reminder: ${activity.subject}${due}`,
    text: [
      `Hello${name ? ` ${name}` : ''},`,
      '',
      `This is your reminder for the ${activity.type} "${activity.subject}"${due},`,
      `linked to ${activity.relatedTo.type} ${activity.relatedTo.id}.`,
    ].join('\n'),
  }
}

/** Sends one reminder email. */
export async function sendReminderEmail(to: string, activity: Activity, name?: string): Promise<void> {
  const { subject, text } = reminderEmail(activity, name)
  await sesClient().send(
    new SendEmailCommand({
      Source: process.env.MAIL_FROM || 'no-reply@relay.local',
      Destination: { ToAddresses: [to] },
      Message: {
        Subject: { Data: subject, Charset: 'UTF-8' },
        Body: { Text: { Data: text, Charset: 'UTF-8' } },
      },
    }),
  )
}
