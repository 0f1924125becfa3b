/** Routes: a ticket's conversation (public replies emailed to the requester, internal notes). */
import {
  Comment,
  CommentListQuery,
  CommentPage,
  CreateComment,
  TicketParams,
} from '@relay/contracts/service-desk'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

export const addComment = /* @__PURE__ */ route({
  method: 'POST',
  path: '/tickets/{id}/comments',
  function: 'add-comment',
  roles: WRITERS,
  params: TicketParams,
  summary:
    'Reply to the requester (public: emailed, threaded by Message-ID/In-Reply-To) or add an internal note (public: false, never sent)',
  body: CreateComment,
  example: { body: 'Thanks: a technician will call you today.', public: true, status: 'pending' },
  response: { status: 201, schema: Comment },
  errors: { 409: 'The ticket is closed, or the status move is not allowed' },
  // Long replies quote whole threads.
  maxBodyBytes: 131_072,
})

export const listComments = /* @__PURE__ */ route({
  method: 'GET',
  path: '/tickets/{id}/comments',
  function: 'list-comments',
  roles: ANY_ROLE,
  params: TicketParams,
  summary: "A ticket's conversation, oldest first (internal notes included)",
  query: CommentListQuery,
  response: { status: 200, schema: CommentPage },
})

export const commentRoutes = [addComment, listComments] as const
