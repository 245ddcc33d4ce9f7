// The second-approval texts in Dutch and English (merged into i18n.js's table): the approvals
// screen (approvals.js) and the compose screen's request and "send now" (compose-approval.js).
export const approvalTexts = {
  nl: {
    approvals: 'Akkoorden',
    approvals_explain: 'Vragen om een tweede akkoord voor uw rol. U ziet precies de inhoud die ' +
        'vertrekt zodra u akkoord geeft; uw akkoord geldt enkel voor deze inhoud.',
    no_approvals: 'Geen vragen om akkoord.', approval_answers: 'Antwoorden op uw vragen',
    no_answers: 'Nog geen antwoorden.', requested_by: 'Gevraagd door',
    approval_recipients: 'Ontvangers', approval_message: 'Bericht',
    general_mailbox: 'algemene postbus', unverified_mailbox: 'niet geverifieerde postbus',
    approve: 'Akkoord geven', decline: 'Weigeren', decline_reason: 'Reden van de weigering',
    decline_needs_reason: 'Geef een reden voor de weigering.',
    approved_done: 'Akkoord gegeven; de aanvrager krijgt bericht.',
    declined_done: 'Geweigerd; de aanvrager krijgt de reden.',
    answer_approved: 'Goedgekeurd door', answer_declined: 'Geweigerd door',
    approval_needed: 'Tweede akkoord nodig — vraag het aan',
    ask_approval: 'Akkoord vragen aan', approval_requested: 'Gevraagd aan',
    approval_waiting: 'Het bericht vertrekt pas na het akkoord. Kijk het antwoord na:',
    check_answer: 'Antwoord nakijken', no_answer_yet: 'Nog geen antwoord.',
    send_now: 'Nu verzenden', approved_by: 'Goedgekeurd door',
    declined_by: 'Geweigerd door',
  },
  en: {
    approvals: 'Approvals',
    approvals_explain: 'Requests for a second approval for your role. You see exactly the ' +
        'content that leaves once you approve; your approval holds for this content only.',
    no_approvals: 'No requests for approval.', approval_answers: 'Answers to your requests',
    no_answers: 'No answers yet.', requested_by: 'Requested by',
    approval_recipients: 'Recipients', approval_message: 'Message',
    general_mailbox: 'general mailbox', unverified_mailbox: 'unverified mailbox',
    approve: 'Approve', decline: 'Decline', decline_reason: 'Reason for declining',
    decline_needs_reason: 'Give a reason for declining.',
    approved_done: 'Approved; the requester is told.',
    declined_done: 'Declined; the requester is told why.',
    answer_approved: 'Approved by', answer_declined: 'Declined by',
    approval_needed: 'Second approval needed — ask',
    ask_approval: 'Ask for approval:', approval_requested: 'Asked',
    approval_waiting: 'The message leaves only after the approval. Check for the answer:',
    check_answer: 'Check for the answer', no_answer_yet: 'No answer yet.',
    send_now: 'Send now', approved_by: 'Approved by',
    declined_by: 'Declined by',
  },
};
