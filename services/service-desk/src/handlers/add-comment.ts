import { http } from '../kit.js'
import * as routes from '../routes/comments.js'
import { addComment } from '../store/ticket-changes.js'

/**
 * POST /tickets/{id}/comments → 201 + Location. A public reply (default) is queued for email to the
 * requester (`send-reply`, committed with the comment: sent if and only if it is saved) with a
 * Message-ID minted now and In-Reply-To the thread's last message; `public: false` is an internal
 * note, never sent. The ticket moves as the status rules say (a new ticket answered becomes open;
 * `status` sets another); a closed ticket → 409.
 */
export const handler = http(routes.addComment, async ({ params, body, caller, correlationId }) => {
  const { comment, ticket } = await addComment(
    caller.tenantId,
    params.id,
    {
      body: body.body,
      public: body.public ?? true,
      author: 'agent',
      authorId: caller.userId,
      status: body.status,
    },
    { correlationId },
  )
  return {
    status: 201,
    body: comment,
    location: `/tickets/${ticket.id}/comments`,
  }
})
