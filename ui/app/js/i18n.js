// Every visible string, one table per language, and the fr-FR / en-GB
// formatting helpers. French typography: U+00A0 before « : ; ! ? » and
// inside « guillemets », U+202F in amounts as Intl gives it.

const NB = '\u00a0';

const fr = {
  app_title: 'Facteur',
  skip_to_list: 'Aller à la liste',
  search_label: 'Rechercher un numéro de facture',
  search_placeholder: 'N° de facture…',
  add_files: 'Ajouter des factures…',
  settings: 'Réglages',
  filters: 'Filtres',
  group_to_do: 'À traiter',
  group_blocked: 'Bloquées',
  layouts: 'Mises en page apprises',
  layouts_help: 'Quand vous confirmez ou corrigez ce que Facteur a lu sur une facture (facteur read --confirm), il retient la mise en page de ce fournisseur et lit la suivante avec elle.',
  layout_line: (s, n, d) => `${s} : ${n} champ(s) appris, le ${d}`,
  layout_forget: 'Oublier',
  no_layouts: 'Aucune mise en page apprise pour l’instant.',
  group_in_progress: 'En cours',
  group_issued: 'Émises',
  group_paid: 'Payées',
  group_rejected: 'Rejetées',
  group_all: 'Toutes',
  customer_filter: 'Client',
  customer_any: 'Tous les clients',
  month_filter: 'Mois',
  month_any: 'Toutes les dates',
  col_number: 'Numéro',
  col_customer: 'Client',
  col_amount: 'Montant',
  col_date: 'Date',
  col_portal: 'Portail',
  col_status: 'Statut',
  invoices: 'Factures',
  since: (age) => `depuis ${age}`,
  on_date: (d) => `le ${d}`,
  no_customer: 'client inconnu',
  number_missing: 'numéro à saisir',
  portal_sandbox: 'Démonstration',
  portal_sandbox_pa: 'Plateforme de démonstration',
  number_label: 'Numéro de la facture',
  number_help: 'Tapez le numéro tel qu’il est imprimé sur la facture : il sert à éviter les doublons et au suivi.',
  number_save: 'Enregistrer le numéro',
  number_saved: (n) => `Numéro ${n} enregistré.`,
  number_empty: 'Tapez le numéro imprimé sur la facture.',
  action_sign_mandate: 'Signer le mandat (démonstration)',
  mandate_signed: 'Mandat signé sur le portail de démonstration : vous pouvez rejouer la facture.',
  replay_sent: 'Le portail a accepté de rejouer la facture.',
  blocked_title: (f) => `Fichier bloqué : ${f}`,
  credit_title: (n) => `Avoir ${n}`,
  amounts_disagree: 'Ces montants ne s’additionnent pas (HT + TVA ≠ TTC) : vérifiez-les sur le PDF.',
  doubtful: 'à vérifier',
  demo_reserved: 'Le portail de démonstration accepte tous vos clients. Trois SIREN réservés montrent ses autres réponses :',
  demo_pace: 'Ici, le vidéocodage dure environ 2 minutes (48 h sur le vrai portail), puis une étape par minute jusqu’au paiement.',
  no_portal: 'Non envoyée',
  load_more: 'Afficher les suivantes',
  loading: 'Chargement…',
  empty_all_title: 'Déposez vos factures ici',
  empty_all_text: 'Glissez des PDF ou un dossier n’importe où dans la fenêtre : Facteur les contrôle aussitôt.',
  empty_watched: 'Facteur surveille aussi le dossier',
  empty_todo_title: 'Rien à traiter aujourd’hui !',
  empty_todo_text: 'Toutes vos factures suivent leur chemin. Revenez quand vous voulez.',
  empty_filter_title: 'Aucune facture ne correspond',
  empty_filter_text: 'Essayez un autre numéro, un autre client ou une autre période.',
  drop_here: 'Lâchez pour contrôler ces factures',
  simulation: 'simulation',
  simulation_banner: 'Portail de démonstration (simulation) : rien n’est réellement envoyé.',
  // Batch
  batch_running: (n, total) => `Contrôle des factures : ${n} sur ${total}`,
  batch_done: (n) => (n > 1 ? `${n} factures contrôlées` : `${n} facture contrôlée`),
  batch_cancelled: (n, total) => `Contrôle arrêté : ${n} sur ${total} factures contrôlées`,
  batch_accepted: (n) => (n > 1 ? `${n} acceptées` : `${n} acceptée`),
  batch_blocked: (n) => (n > 1 ? `${n} bloquées` : `${n} bloquée`),
  correction_planned: (n) => `Facture corrigée prévue sous le n° ${n} : déposez-la dans Facteur, elle partira comme correction de celle-ci.`,
  correction_sent: (n) => `Corrigée par la facture ${n}.`,
  correction_of: (n) => `Corrige la facture rejetée ${n} : elle partira comme sa correction.`,
  batch_files: 'Fichiers de ce dépôt',
  batch_known: (n) => (n > 1 ? `${n} déjà reçues` : `${n} déjà reçue`),
  batch_more: (n) => `… et ${n} autre${n > 1 ? 's' : ''}`,
  item_accepted: 'Prête à envoyer',
  item_known: 'Déjà reçue : c’est le même fichier, rien n’est ajouté',
  item_duplicate: (n) => `Doublon : la facture ${n} porte déjà ce numéro`,
  item_unreadable: 'Fichier illisible',
  cancel: 'Annuler',
  close: 'Fermer',
  // Detail
  detail_title: (n) => `Facture ${n}`,
  close_detail: 'Fermer le détail',
  open_pdf: 'Ouvrir le PDF',
  what_happened: 'Où en est-elle',
  routing: 'Destinataire',
  route_send: 'Destination :',
  route_held: 'Retenue :',
  route_undeliverable: 'Non distribuable :',
  what_to_do: 'Que faire',
  action_submit: 'Envoyer au portail',
  action_replay: 'Rejouer la facture',
  action_prepare_corrected: 'Préparer une facture corrigée',
  action_arrived: 'Elle est bien arrivée',
  action_posted: 'Elle est postée',
  posted: 'Facture marquée comme postée.',
  action_not_arrived: 'Elle n’est pas arrivée',
  action_show_duplicate: (n) => `Voir la facture ${n}`,
  correction_label: 'Numéro de la facture corrigée',
  correction_help: (old) => `Il doit être différent de ${old} : le portail rejetterait de nouveau le même numéro.`,
  correction_same: (old) => `Choisissez un numéro différent de ${old}.`,
  correction_empty: 'Indiquez le nouveau numéro.',
  correction_confirm: 'Réserver ce numéro',
  correction_done: (n) => `C’est noté. Créez la facture ${n} dans votre logiciel de facturation, puis déposez-la ici.`,
  submitted: 'La facture part vers le portail.',
  submit_refused: 'Facteur n’a pas envoyé cette facture : voyez l’explication ci-dessus.',
  replayed: 'La facture est rejouée, sans modification.',
  verified_arrived: 'C’est noté : la facture est bien sur le portail.',
  verified_not_arrived: 'C’est noté : la facture est prête à être renvoyée.',
  findings: 'Contrôle du fichier',
  no_findings: 'Aucun problème trouvé dans le fichier.',
  no_report: 'Pas de contrôle enregistré pour ce fichier.',
  severity_error: 'Bloquant',
  severity_warning: 'À savoir',
  fix: 'À faire :',
  facts: 'Ce que Facteur a lu',
  fact_source_xml: 'données structurées',
  fact_source_text: 'texte du PDF',
  timeline: 'Historique',
  no_events: 'Aucun statut pour l’instant.',
  mandatory: 'étape obligatoire',
  second_deposit: 'second dépôt : sans effet sur le statut',
  informational: 'Information',
  portal_said: 'Le portail indique',
  quote: (s) => `« ${s} »`,
  source_portal_api: 'portail',
  source_portal_mail: 'courriel du portail',
  source_manual: 'vous',
  source_local_check: 'contrôle Facteur',
  source_outbox: 'envoi Facteur',
  technical: 'Détails techniques',
  file: 'Fichier',
  sha256: 'Empreinte SHA-256',
  // Errors
  error_generic: 'Quelque chose n’a pas fonctionné. Réessayez ; si cela recommence, notez les détails ci-dessous.',
  details: 'Détails',
  dismiss: 'Fermer ce message',
  // Settings
  settings_title: 'Réglages',
  language: 'Langue',
  lang_fr: 'Français',
  lang_en: 'English',
  data_folder: 'Dossier des données',
  accounts: 'Comptes de portail',
  no_accounts: 'Aucun compte pour l’instant : les factures partent vers le portail de démonstration.',
  add_account: 'Ajouter un compte',
  account_name: 'Nom du compte',
  account_name_help: 'Lettres, chiffres, « - », « _ » ou « . », par exemple « mairie ».',
  account_kind: 'Type de portail',
  kind_mail_deposit: 'Dépôt par courriel',
  kind_chorus_pro: 'Chorus Pro',
  kind_sandbox: 'Portail de démonstration',
  kind_plateforme: 'Plateforme agréée',
  secret_help: 'Les mots de passe vont directement dans le trousseau du système ; Facteur ne les affiche plus jamais.',
  save_account: 'Enregistrer le compte',
  account_added: (n) => `Compte « ${n} » enregistré.`,
  test_account: 'Tester la connexion',
  testing: 'Test en cours…',
  remove_account: 'Supprimer',
  confirm_remove: 'Confirmer la suppression',
  account_removed: (n) => `Compte « ${n} » supprimé.`,
  optional: '(facultatif)',
  // Watched folders
  folders: 'Dossiers surveillés',
  folders_help: 'Facteur prend chaque facture que votre logiciel comptable dépose dans ces dossiers, dès qu’elle est complète, même fenêtre fermée.',
  no_folders: 'Aucun dossier surveillé : ajoutez celui où votre logiciel exporte ses factures.',
  add_folder: 'Ajouter un dossier…',
  folder_added: (p) => `Dossier « ${p} » surveillé.`,
  folder_removed: (p) => `Dossier « ${p} » retiré : ses fichiers restent à leur place.`,
  remove_folder: 'Retirer',
  confirm_remove_folder: 'Confirmer le retrait',
  folder_mode: 'Mode',
  mode_check: 'Contrôle seul',
  mode_submit: 'Contrôle et envoi',
  folder_account: 'Envoyer vers',
  default_account: 'Portail de démonstration (simulation)',
  folder_tidy: 'Ranger les fichiers traités',
  folder_tidy_help: 'Déplacés, jamais effacés, dans les sous-dossiers « envoyées », « bloquées », « à vérifier » et « contrôlées ». Une facture à envoyer reste en place jusqu’à ce que le portail l’ait reçue.',
  folder_recursive: 'Avec ses sous-dossiers',
  folder_pause: 'Mettre en pause',
  folder_resume: 'Reprendre',
  folder_paused: 'En pause',
  folder_missing: 'Introuvable',
  folder_missing_help: 'Dossier introuvable (disque ou partage débranché ?) : Facteur réessaie toutes les 30 secondes.',
  watch_deferred: (name, secs) => name
    ? `« ${name} » n'a pas pu être pris pour l'instant (base de données ou disque indisponible) : nouvel essai dans ${secs} s. Rien n'est perdu.`
    : `La base de données des dossiers surveillés est indisponible : nouvel essai dans ${secs} s. Rien n'est perdu.`,
  folder_counts: (c) => `${c.taken} prise${c.taken > 1 ? 's' : ''} · ${c.accepted} conforme${c.accepted > 1 ? 's' : ''} · ${c.blocked} bloquée${c.blocked > 1 ? 's' : ''} · ${c.waiting} en attente`,
  watching_on: (n) => `Surveillance active : ${n} dossier${n > 1 ? 's' : ''}`,
  watching_paused: 'Surveillance en pause',
  watching_none: 'Aucun dossier surveillé',
  pause_watching: 'Mettre en pause la surveillance',
  resume_watching: 'Reprendre la surveillance',
  // Customer directory
  customers: 'Clients',
  customers_help: 'Chaque client avec ses identifiants et la façon de le joindre : Facteur y cherche l’acheteur de chaque facture pour savoir où l’envoyer.',
  no_customers: 'Aucun client dans l’annuaire : ajoutez-en un ou importez un CSV.',
  add_customer: 'Ajouter un client',
  edit_customer: 'Modifier',
  edit_customer_title: (n) => `Modifier « ${n} »`,
  remove_customer: 'Supprimer',
  confirm_remove_customer: 'Confirmer la suppression',
  customer_removed: (n) => `Client « ${n} » supprimé.`,
  customer_saved: (n) => `Client « ${n} » enregistré.`,
  save_customer: 'Enregistrer le client',
  cust_name: 'Nom du client',
  cust_customer_number: 'Numéro client',
  cust_electronic_address: 'Adresse électronique (identifiant e-facture)',
  cust_ovt: 'OVT',
  cust_iban: 'IBAN',
  cust_gln: 'GLN',
  cust_siren: 'SIREN',
  cust_siret: 'SIRET',
  cust_vat: 'Numéro de TVA',
  cust_channel: 'Canal',
  cust_account: 'Compte',
  cust_email: 'Adresse e-mail du client',
  cust_service_code: 'Code service (Chorus Pro)',
  cust_engagement_required: 'Numéro d’engagement obligatoire (Chorus Pro)',
  channel_account: 'Un de vos comptes (portail, plateforme)',
  channel_email: 'E-mail du PDF (à défaut)',
  channel_print: 'Courrier papier (à défaut)',
  channel_account_to: (a) => `Compte « ${a} »`,
  channel_email_to: (e) => `E-mail à ${e}`,
  channel_none: 'Aucun canal',
  import_csv: 'Importer un CSV…',
  export_csv: 'Exporter en CSV…',
  csv_preview: (f) => `Import de « ${f} »`,
  csv_mapping: 'Colonnes du fichier et champs qu’elles remplissent',
  csv_ignore: 'Ignorer cette colonne',
  csv_field_id: 'Identifiant Facteur (remplace ce client)',
  csv_field_nom: 'Nom',
  csv_field_numero_client: 'Numéro client',
  csv_field_adresse_electronique: 'Adresse électronique',
  csv_field_ovt: 'OVT',
  csv_field_iban: 'IBAN',
  csv_field_gln: 'GLN',
  csv_field_siren: 'SIREN',
  csv_field_siret: 'SIRET',
  csv_field_tva: 'Numéro de TVA',
  csv_field_canal: 'Canal (compte, email ou courrier)',
  csv_field_email: 'Adresse e-mail',
  csv_field_code_service: 'Code service',
  csv_field_engagement_obligatoire: 'Engagement obligatoire',
  csv_bad: (n) => `${n} ligne${n > 1 ? 's' : ''} invalide${n > 1 ? 's' : ''} : rien n’est importé tant qu’une ligne est invalide. Corrigez le fichier puis importez-le de nouveau, ou changez une colonne.`,
  csv_line: (n) => `Ligne ${n} :`,
  csv_all_good: (n) => `${n} ligne${n > 1 ? 's' : ''}, toutes valides.`,
  csv_import: (n) => `Importer (${n})`,
  csv_imported: (a, r) => `Import terminé : ${a} client${a > 1 ? 's' : ''} ajouté${a > 1 ? 's' : ''}, ${r} remplacé${r > 1 ? 's' : ''}.`,
  csv_exported: (n, f) => `${n} client${n > 1 ? 's' : ''} exporté${n > 1 ? 's' : ''} dans ${f}.`,
  fallbacks: 'Si aucun client ne correspond',
  fallbacks_help: 'Pour un client joint par e-mail ou par courrier : le compte qui envoie l’e-mail, celui qui dépose le PDF à imprimer.',
  fallback_email: 'Compte d’envoi des e-mails',
  fallback_print: 'Compte d’impression',
  fallback_off: 'désactivé',
  manage_folders: 'Gérer les dossiers',
  field_portal_address: 'Adresse de dépôt du portail',
  field_from: 'Votre adresse d’expéditeur',
  field_portal_sender: 'Adresse des avis du portail (ou @domaine)',
  field_smtp_host: 'Serveur d’envoi (SMTP)',
  field_smtp_port: 'Port SMTP',
  field_smtp_user: 'Identifiant SMTP',
  field_smtp_password: 'Mot de passe SMTP',
  field_imap_host: 'Serveur de réception (IMAP)',
  field_imap_user: 'Identifiant IMAP',
  field_imap_password: 'Mot de passe IMAP',
  field_environment: 'Environnement',
  env_production: 'Production',
  env_sandbox: 'Qualification (essais)',
  field_client_id: 'Identifiant client PISTE',
  field_client_secret: 'Secret client PISTE',
  field_login: 'Compte technique',
  field_technical_password: 'Mot de passe du compte technique',
  field_supplier_id: 'Identifiant de la structure',
  field_password_expires: 'Expiration du mot de passe',
  field_url: 'Adresse du portail',
  // Fact keys
  fact: {
    invoice_number: 'Numéro', issue_date: 'Date', doc_type: 'Type', type_code: 'Type de document',
    currency: 'Devise', seller_name: 'Vendeur', seller_siren: 'SIREN vendeur',
    seller_siret: 'SIRET vendeur', seller_vat: 'TVA vendeur', seller_gln: 'GLN vendeur',
    buyer_name: 'Client', buyer_siren: 'SIREN client', buyer_siret: 'SIRET client',
    buyer_vat: 'TVA client', buyer_gln: 'GLN client', buyer_customer_number: 'N° client',
    buyer_electronic_address: 'Adresse électronique du client', buyer_ovt: 'OVT client',
    iban: 'IBAN', buyer_iban: 'IBAN du client', buyer_reference: 'Code service', order_reference: 'N° d’engagement',
    total_without_tax: 'Total HT', total_tax: 'TVA', total_with_tax: 'Total TTC',
    amount_due: 'Net à payer',
  },
  doc_type_value: { invoice: 'Facture', credit_note: 'Avoir' },
  type_code_value: { 380: 'Facture', 381: 'Avoir', 384: 'Facture rectificative', 386: 'Facture d’acompte', 389: 'Autofacture' },
  status: {
    checked: 'Prête à envoyer', blocked: 'Bloquée par un contrôle', queued: 'En attente d’envoi',
    sending: 'Envoi en cours', to_verify: 'À vérifier', to_post: 'À imprimer et poster', deposited: 'Déposée',
    issued: 'Émise par la plateforme', received: 'Reçue par la plateforme',
    made_available: 'Mise à disposition', taken_over: 'Prise en charge', approved: 'Approuvée',
    partially_approved: 'Approuvée partiellement', disputed: 'En litige', suspended: 'Suspendue',
    completed: 'Complétée', refused: 'Refusée', payment_sent: 'Paiement transmis',
    paid: 'Encaissée', rejected: 'Rejetée', endorsed: 'Visée', cancelled: 'Annulée',
    routing_error: 'Erreur de routage', unknown: 'Statut inconnu',
  },
  reason_status: {
    'deposited/VIDEOCODAGE': 'Vidéocodage',
    'refused/MANDAT_ABSENT': 'Mandat absent',
    'refused/DOUBLON': 'Refusée : doublon',
    'blocked/DOUBLON': 'Bloquée : doublon',
  },
  category: { success: 'Réussite', waiting: 'En attente', action: 'Action requise', closed: 'Close' },
};

const en = {
  app_title: 'Facteur',
  skip_to_list: 'Skip to the list',
  search_label: 'Search an invoice number',
  search_placeholder: 'Invoice number…',
  add_files: 'Add invoices…',
  settings: 'Settings',
  filters: 'Filters',
  group_to_do: 'To do',
  group_blocked: 'Blocked',
  layouts: 'Learned layouts',
  layouts_help: 'When you confirm or correct what Facteur read on an invoice (facteur read --confirm), it keeps that supplier\'s layout and reads the next one with it.',
  layout_line: (s, n, d) => `${s}: ${n} field(s) learned, on ${d}`,
  layout_forget: 'Forget',
  no_layouts: 'No layout learned yet.',
  group_in_progress: 'In progress',
  group_issued: 'Issued',
  group_paid: 'Paid',
  group_rejected: 'Rejected',
  group_all: 'All',
  customer_filter: 'Customer',
  customer_any: 'All customers',
  month_filter: 'Month',
  month_any: 'Any date',
  col_number: 'Number',
  col_customer: 'Customer',
  col_amount: 'Amount',
  col_date: 'Date',
  col_portal: 'Portal',
  col_status: 'Status',
  invoices: 'Invoices',
  since: (age) => `for ${age}`,
  on_date: (d) => `on ${d}`,
  no_customer: 'unknown customer',
  number_missing: 'number to type',
  portal_sandbox: 'Demonstration',
  portal_sandbox_pa: 'Demonstration plateforme',
  number_label: 'Invoice number',
  number_help: 'Type the number as printed on the invoice: it prevents duplicates and is used to follow it.',
  number_save: 'Save the number',
  number_saved: (n) => `Number ${n} saved.`,
  number_empty: 'Type the number printed on the invoice.',
  action_sign_mandate: 'Sign the mandate (demonstration)',
  mandate_signed: 'Mandate signed on the demonstration portal: you can replay the invoice.',
  replay_sent: 'The portal accepted to replay the invoice.',
  blocked_title: (f) => `Blocked file: ${f}`,
  credit_title: (n) => `Credit note ${n}`,
  amounts_disagree: 'These amounts do not add up (net + VAT ≠ gross): check them on the PDF.',
  doubtful: 'to check',
  demo_reserved: 'The demonstration portal accepts all your customers. Three reserved SIRENs show its other answers:',
  demo_pace: 'Here, vidéocodage takes about 2 minutes (48 h on the real portal), then one step a minute until payment.',
  no_portal: 'Not sent',
  load_more: 'Show more',
  loading: 'Loading…',
  empty_all_title: 'Drop your invoices here',
  empty_all_text: 'Drag PDFs or a folder anywhere onto the window: Facteur checks them at once.',
  empty_watched: 'Facteur also watches the folder',
  empty_todo_title: 'Nothing to do today!',
  empty_todo_text: 'All your invoices are on their way. Come back whenever you like.',
  empty_filter_title: 'No invoice matches',
  empty_filter_text: 'Try another number, customer or period.',
  drop_here: 'Drop to check these invoices',
  simulation: 'simulation',
  simulation_banner: 'Demonstration portal (simulation): nothing is really sent.',
  batch_running: (n, total) => `Checking invoices: ${n} of ${total}`,
  batch_done: (n) => (n > 1 ? `${n} invoices checked` : `${n} invoice checked`),
  batch_cancelled: (n, total) => `Checking stopped: ${n} of ${total} invoices checked`,
  batch_accepted: (n) => `${n} accepted`,
  batch_blocked: (n) => `${n} blocked`,
  correction_planned: (n) => `Corrected invoice planned as no. ${n}: drop it into Facteur and it will go as this one's correction.`,
  correction_sent: (n) => `Corrected by invoice ${n}.`,
  correction_of: (n) => `Corrects rejected invoice ${n}: it will go as its correction.`,
  batch_files: 'Files in this drop',
  batch_known: (n) => `${n} already received`,
  batch_more: (n) => `… and ${n} more`,
  item_accepted: 'Ready to send',
  item_known: 'Already received: the very same file, nothing added',
  item_duplicate: (n) => `Duplicate: invoice ${n} already has this number`,
  item_unreadable: 'Unreadable file',
  cancel: 'Cancel',
  close: 'Close',
  detail_title: (n) => `Invoice ${n}`,
  close_detail: 'Close the details',
  open_pdf: 'Open the PDF',
  what_happened: 'Where it stands',
  routing: 'Recipient',
  route_send: 'Destination:',
  route_held: 'Held:',
  route_undeliverable: 'Undeliverable:',
  what_to_do: 'What to do',
  action_submit: 'Send to the portal',
  action_replay: 'Replay the invoice',
  action_prepare_corrected: 'Prepare a corrected invoice',
  action_arrived: 'It did arrive',
  action_posted: 'It has been posted',
  posted: 'Invoice marked as posted.',
  action_not_arrived: 'It did not arrive',
  action_show_duplicate: (n) => `See invoice ${n}`,
  correction_label: 'Number of the corrected invoice',
  correction_help: (old) => `It must differ from ${old}: the portal would reject the same number again.`,
  correction_same: (old) => `Choose a number different from ${old}.`,
  correction_empty: 'Enter the new number.',
  correction_confirm: 'Reserve this number',
  correction_done: (n) => `Noted. Create invoice ${n} in your invoicing software, then drop it here.`,
  submitted: 'The invoice is on its way to the portal.',
  submit_refused: 'Facteur did not send this invoice: see the explanation above.',
  replayed: 'The invoice is replayed, unchanged.',
  verified_arrived: 'Noted: the invoice is on the portal.',
  verified_not_arrived: 'Noted: the invoice is ready to be sent again.',
  findings: 'File check',
  no_findings: 'No problem found in the file.',
  no_report: 'No check recorded for this file.',
  severity_error: 'Blocking',
  severity_warning: 'Good to know',
  fix: 'To do:',
  facts: 'What Facteur read',
  fact_source_xml: 'structured data',
  fact_source_text: 'PDF text',
  timeline: 'History',
  no_events: 'No status yet.',
  mandatory: 'mandatory step',
  second_deposit: 'second deposit: no effect on the status',
  informational: 'Information',
  portal_said: 'The portal says',
  quote: (s) => `“${s}”`,
  source_portal_api: 'portal',
  source_portal_mail: 'portal e-mail',
  source_manual: 'you',
  source_local_check: 'Facteur check',
  source_outbox: 'Facteur sending',
  technical: 'Technical details',
  file: 'File',
  sha256: 'SHA-256 fingerprint',
  error_generic: 'Something did not work. Try again; if it happens again, note the details below.',
  details: 'Details',
  dismiss: 'Dismiss this message',
  settings_title: 'Settings',
  language: 'Language',
  lang_fr: 'Français',
  lang_en: 'English',
  data_folder: 'Data folder',
  accounts: 'Portal accounts',
  no_accounts: 'No account yet: invoices go to the demonstration portal.',
  add_account: 'Add an account',
  account_name: 'Account name',
  account_name_help: 'Letters, digits, "-", "_" or ".", for example "cityhall".',
  account_kind: 'Portal type',
  kind_mail_deposit: 'Deposit by e-mail',
  kind_chorus_pro: 'Chorus Pro',
  kind_sandbox: 'Demonstration portal',
  kind_plateforme: 'Approved platform',
  secret_help: 'Passwords go straight to the system keyring; Facteur never shows them again.',
  save_account: 'Save the account',
  account_added: (n) => `Account "${n}" saved.`,
  test_account: 'Test the connection',
  testing: 'Testing…',
  remove_account: 'Remove',
  confirm_remove: 'Confirm removal',
  account_removed: (n) => `Account "${n}" removed.`,
  optional: '(optional)',
  // Watched folders
  folders: 'Watched folders',
  folders_help: 'Facteur takes every invoice your accounting software drops into these folders, as soon as it is complete, even with the window closed.',
  no_folders: 'No watched folder: add the one your accounting software exports its invoices to.',
  add_folder: 'Add a folder…',
  folder_added: (p) => `Folder "${p}" is watched.`,
  folder_removed: (p) => `Folder "${p}" removed: its files stay where they are.`,
  remove_folder: 'Remove',
  confirm_remove_folder: 'Confirm removal',
  folder_mode: 'Mode',
  mode_check: 'Check only',
  mode_submit: 'Check and submit',
  folder_account: 'Send to',
  default_account: 'Demonstration portal (simulation)',
  folder_tidy: 'Tidy up processed files',
  folder_tidy_help: 'Moved, never deleted, into the subfolders "envoyées" (sent), "bloquées" (blocked), "à vérifier" (to verify) and "contrôlées" (checked). An invoice to send stays in place until the portal has received it.',
  folder_recursive: 'With its subfolders',
  folder_pause: 'Pause',
  folder_resume: 'Resume',
  folder_paused: 'Paused',
  folder_missing: 'Not found',
  folder_missing_help: 'Folder not found (drive or share disconnected?): Facteur tries again every 30 seconds.',
  watch_deferred: (name, secs) => name
    ? `"${name}" could not be taken for now (database or disk unavailable): trying again in ${secs} s. Nothing is lost.`
    : `The watched folders' database is unavailable: trying again in ${secs} s. Nothing is lost.`,
  folder_counts: (c) => `${c.taken} taken · ${c.accepted} accepted · ${c.blocked} blocked · ${c.waiting} waiting`,
  watching_on: (n) => `Watching ${n} folder${n > 1 ? 's' : ''}`,
  watching_paused: 'Watching paused',
  watching_none: 'No watched folder',
  pause_watching: 'Pause watching',
  resume_watching: 'Resume watching',
  // Customer directory
  customers: 'Customers',
  customers_help: 'Each customer with its identifiers and how to reach it: Facteur looks up each invoice’s buyer here to know where to send it.',
  no_customers: 'No customer in the directory: add one or import a CSV.',
  add_customer: 'Add a customer',
  edit_customer: 'Edit',
  edit_customer_title: (n) => `Edit "${n}"`,
  remove_customer: 'Remove',
  confirm_remove_customer: 'Confirm removal',
  customer_removed: (n) => `Customer "${n}" removed.`,
  customer_saved: (n) => `Customer "${n}" saved.`,
  save_customer: 'Save the customer',
  cust_name: 'Customer name',
  cust_customer_number: 'Customer number',
  cust_electronic_address: 'Electronic address (e-invoice ID)',
  cust_ovt: 'OVT',
  cust_iban: 'IBAN',
  cust_gln: 'GLN',
  cust_siren: 'SIREN',
  cust_siret: 'SIRET',
  cust_vat: 'VAT number',
  cust_channel: 'Channel',
  cust_account: 'Account',
  cust_email: 'Customer’s e-mail address',
  cust_service_code: 'Service code (Chorus Pro)',
  cust_engagement_required: 'Engagement number required (Chorus Pro)',
  channel_account: 'One of your accounts (portal, platform)',
  channel_email: 'E-mail of the PDF (fallback)',
  channel_print: 'Paper mail (fallback)',
  channel_account_to: (a) => `Account "${a}"`,
  channel_email_to: (e) => `E-mail to ${e}`,
  channel_none: 'No channel',
  import_csv: 'Import a CSV…',
  export_csv: 'Export as CSV…',
  csv_preview: (f) => `Importing "${f}"`,
  csv_mapping: 'The file’s columns and the fields they fill',
  csv_ignore: 'Ignore this column',
  csv_field_id: 'Facteur id (replaces that customer)',
  csv_field_nom: 'Name',
  csv_field_numero_client: 'Customer number',
  csv_field_adresse_electronique: 'Electronic address',
  csv_field_ovt: 'OVT',
  csv_field_iban: 'IBAN',
  csv_field_gln: 'GLN',
  csv_field_siren: 'SIREN',
  csv_field_siret: 'SIRET',
  csv_field_tva: 'VAT number',
  csv_field_canal: 'Channel (account, email or courrier)',
  csv_field_email: 'E-mail address',
  csv_field_code_service: 'Service code',
  csv_field_engagement_obligatoire: 'Engagement required',
  csv_bad: (n) => `${n} invalid line${n > 1 ? 's' : ''}: nothing is imported while any line is invalid. Fix the file and import it again, or change a column.`,
  csv_line: (n) => `Line ${n}:`,
  csv_all_good: (n) => `${n} line${n > 1 ? 's' : ''}, all valid.`,
  csv_import: (n) => `Import (${n})`,
  csv_imported: (a, r) => `Import done: ${a} customer${a > 1 ? 's' : ''} added, ${r} replaced.`,
  csv_exported: (n, f) => `${n} customer${n > 1 ? 's' : ''} exported to ${f}.`,
  fallbacks: 'Fallbacks',
  fallbacks_help: 'For a customer reached by e-mail or by post: the account that sends the e-mail, the one that drops the PDF to print.',
  fallback_email: 'E-mail sending account',
  fallback_print: 'Print account',
  fallback_off: 'off',
  manage_folders: 'Manage folders',
  field_portal_address: 'Portal deposit address',
  field_from: 'Your sender address',
  field_portal_sender: 'Address of the portal’s notices (or @domain)',
  field_smtp_host: 'Outgoing server (SMTP)',
  field_smtp_port: 'SMTP port',
  field_smtp_user: 'SMTP user name',
  field_smtp_password: 'SMTP password',
  field_imap_host: 'Incoming server (IMAP)',
  field_imap_user: 'IMAP user name',
  field_imap_password: 'IMAP password',
  field_environment: 'Environment',
  env_production: 'Production',
  env_sandbox: 'Qualification (testing)',
  field_client_id: 'PISTE client id',
  field_client_secret: 'PISTE client secret',
  field_login: 'Technical account',
  field_technical_password: 'Technical account password',
  field_supplier_id: 'Structure id',
  field_password_expires: 'Password expiry',
  field_url: 'Portal address',
  fact: {
    invoice_number: 'Number', issue_date: 'Date', doc_type: 'Type', type_code: 'Type code',
    currency: 'Currency', seller_name: 'Seller', seller_siren: 'Seller SIREN',
    seller_siret: 'Seller SIRET', seller_vat: 'Seller VAT no.', seller_gln: 'Seller GLN',
    buyer_name: 'Customer', buyer_siren: 'Customer SIREN', buyer_siret: 'Customer SIRET',
    buyer_vat: 'Customer VAT no.', buyer_gln: 'Customer GLN', buyer_customer_number: 'Customer no.',
    buyer_electronic_address: 'Customer electronic address', buyer_ovt: 'Customer OVT',
    iban: 'IBAN', buyer_iban: 'Customer IBAN', buyer_reference: 'Service code', order_reference: 'Order no.',
    total_without_tax: 'Total excl. VAT', total_tax: 'VAT', total_with_tax: 'Total incl. VAT',
    amount_due: 'Amount due',
  },
  doc_type_value: { invoice: 'Invoice', credit_note: 'Credit note' },
  type_code_value: { 380: 'Invoice', 381: 'Credit note', 384: 'Corrected invoice', 386: 'Prepayment invoice', 389: 'Self-billed invoice' },
  status: {
    checked: 'Ready to send', blocked: 'Blocked by a check', queued: 'Waiting to be sent',
    sending: 'Sending', to_verify: 'To verify', to_post: 'To print and post', deposited: 'Deposited',
    issued: 'Issued by the platform', received: 'Received by the platform',
    made_available: 'Made available', taken_over: 'Taken over', approved: 'Approved',
    partially_approved: 'Partially approved', disputed: 'Disputed', suspended: 'Suspended',
    completed: 'Completed', refused: 'Refused', payment_sent: 'Payment sent', paid: 'Paid',
    rejected: 'Rejected', endorsed: 'Endorsed', cancelled: 'Cancelled',
    routing_error: 'Routing error', unknown: 'Unknown status',
  },
  reason_status: {
    'deposited/VIDEOCODAGE': 'Vidéocodage (portal check)',
    'refused/MANDAT_ABSENT': 'Mandate missing',
    'refused/DOUBLON': 'Refused: duplicate',
    'blocked/DOUBLON': 'Blocked: duplicate',
  },
  category: { success: 'Success', waiting: 'Waiting', action: 'Action needed', closed: 'Closed' },
};

const TABLES = { fr, en };
const LOCALES = { fr: 'fr-FR', en: 'en-GB' };
let lang = 'fr';

export function setLang(l) {
  lang = TABLES[l] ? l : 'fr';
  document.documentElement.lang = lang;
}
export const getLang = () => lang;

/** French typography: no-break space before « : ; ! ? » and inside « ». */
export function typo(s) {
  return s.replace(/ ([:;!?»])/g, `${NB}$1`).replace(/« /g, `«${NB}`);
}

/** The string `key` (a function is called with `args`). */
export function t(key, ...args) {
  const v = TABLES[lang][key] ?? TABLES.fr[key];
  if (v === undefined) return key;
  const s = typeof v === 'function' ? v(...args) : v;
  return lang === 'fr' ? typo(s) : s;
}

/** A nested entry: t2('status', 'paid'). */
export function t2(table, key) {
  const s = TABLES[lang][table]?.[key] ?? TABLES.fr[table]?.[key] ?? key;
  return lang === 'fr' ? typo(s) : s;
}

/** Picks the `_fr` or `_en` field of a core object (Finding, Guidance, errors). */
export function pick(obj, base) {
  if (!obj) return '';
  return obj[`${base}_${lang}`] || obj[`${base}_fr`] || obj[`${base}_en`] || '';
}

/** Picks a `{fr, en}` message of the core (routing's reasons). */
export function pick2(msg) {
  if (!msg) return '';
  return msg[lang] || msg.fr || msg.en || '';
}

/** Fills the static page: data-i18n, data-i18n-placeholder, -aria-label, -title. */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]'))
    el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]'))
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  document.title = t('app_title');
}

// ---- Formatting ----

const cache = new Map();
function fmt(kind, opts) {
  const key = `${lang}|${kind}|${JSON.stringify(opts)}`;
  if (!cache.has(key)) {
    cache.set(key, kind === 'n' ? new Intl.NumberFormat(LOCALES[lang], opts)
      : new Intl.DateTimeFormat(LOCALES[lang], opts));
  }
  return cache.get(key);
}

/** "1234.56" + "EUR" → "1 234,56 €" (fr) or "€1,234.56" (en). */
export function money(amount, currency) {
  if (amount == null || amount === '') return '—';
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  try {
    return fmt('n', { style: 'currency', currency: currency || 'EUR' }).format(n);
  } catch {
    return `${fmt('n', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)} ${currency}`;
  }
}

/** "2026-11-22" → "22 nov. 2026". */
export function date(iso) {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return fmt('d', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** Unix ms → "22 nov. 2026, 14:05". */
export function dateTime(ms) {
  return fmt('d', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })
    .format(new Date(ms));
}

/** Unix ms → "22 nov. 2026". */
export function dateOf(ms) {
  return fmt('d', { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(ms));
}

/** "2026-11" → "novembre 2026". */
export function monthName(ym) {
  const [y, m] = ym.split('-').map(Number);
  const s = fmt('d', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Duration since `ms` → "12 min", "31 h", "3 jours". */
export function age(ms, now = Date.now()) {
  const min = Math.max(0, Math.floor((now - ms) / 60000));
  if (min < 1) return lang === 'fr' ? `moins d’une${NB}minute` : 'less than a minute';
  if (min < 60) return `${min}${NB}min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h}${NB}h`;
  const d = Math.floor(h / 24);
  return lang === 'fr' ? `${d}${NB}jours` : `${d}${NB}days`;
}

export function count(n) {
  return fmt('n', {}).format(n);
}
