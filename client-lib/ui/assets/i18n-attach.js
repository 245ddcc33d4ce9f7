// The attachments' texts in Dutch and English (merged into i18n.js's table): choosing files in
// the compose form, the progress of a send, and downloads refused by the program's check.
export const attachTexts = {
  nl: {
    attach_files: 'Bijlagen', attach_category: 'Categorie van de bijlagen',
    attach_too_large: 'Te groot voor een bijlage (hoogstens 1 GiB): ',
    progress_reading: 'Bestand doorgeven', progress_uploading: 'Versleutelen en opladen',
    progress_label: 'Voortgang van de verzending', download_refused: 'Download geweigerd: ',
  },
  en: {
    attach_files: 'Attachments', attach_category: 'Category of the attachments',
    attach_too_large: 'Too large for an attachment (1 GiB at most): ',
    progress_reading: 'Handing over the file', progress_uploading: 'Encrypting and uploading',
    progress_label: 'Progress of the send', download_refused: 'Download refused: ',
  },
};
