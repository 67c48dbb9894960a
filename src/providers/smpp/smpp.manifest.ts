import type { ProviderManifest } from '../core/types.js';

/** Any SMPP 3.4 carrier (SMSC). Settings whose right value is carrier-specific are fields here. */
export const smppManifest: ProviderManifest = {
  type: 'smpp',
  displayName: 'SMPP 3.4',
  docsUrl: 'https://smpp.org/SMPP_v3_4_Issue1_2.pdf',
  envPrefix: 'SMPP',
  defaultBaseUrl: '',
  credentials: [
    { key: 'host', label: 'SMSC host', required: true, secret: false },
    { key: 'port', label: 'SMSC port', required: false, secret: false, description: '2775 unless the carrier says otherwise' },
    { key: 'tls', label: 'TLS', required: false, secret: false, choices: ['off', 'on'] },
    { key: 'tlsCa', label: 'TLS CA certificate (PEM)', required: false, secret: false, description: 'When the SMSC certificate is not signed by a public CA' },
    { key: 'tlsServername', label: 'TLS server name', required: false, secret: false },
    { key: 'systemId', label: 'system_id', required: true, secret: false },
    { key: 'password', label: 'Password', required: true, secret: true },
    { key: 'systemType', label: 'system_type', required: false, secret: false },
    { key: 'bindMode', label: 'Bind mode', required: false, secret: false, choices: ['transceiver', 'transmitter_receiver'] },
    { key: 'sourceTon', label: 'Source TON (blank: from the sender)', required: false, secret: false },
    { key: 'sourceNpi', label: 'Source NPI (blank: from the sender)', required: false, secret: false },
    { key: 'destTon', label: 'Destination TON', required: false, secret: false, description: 'Default 1 (international)' },
    { key: 'destNpi', label: 'Destination NPI', required: false, secret: false, description: 'Default 1 (ISDN/E.164)' },
    { key: 'dataCoding', label: 'Default data_coding for text that fits it', required: false, secret: false, choices: ['gsm7', 'latin1'] },
    { key: 'longMessages', label: 'Long messages as', required: false, secret: false, choices: ['udh', 'message_payload'] },
    { key: 'gsm7Packing', label: 'GSM-7 octets', required: false, secret: false, choices: ['unpacked', 'packed'], description: 'unpacked (one septet per octet) unless the SMSC expects 8 septets in 7 octets' },
    { key: 'windowSize', label: 'Window (submit_sm awaiting a response)', required: false, secret: false, description: '1-100, default 10' },
    { key: 'throughput', label: 'Throughput (submits per second per bind)', required: false, secret: false, description: 'The carrier contract; default 10' },
    { key: 'enquireLinkSeconds', label: 'enquire_link interval (s)', required: false, secret: false, description: 'Default 30' },
    { key: 'reconnectSeconds', label: 'Reconnect backoff start (s)', required: false, secret: false, description: 'Doubles with jitter up to 60 s; default 1' },
    { key: 'receiptIdFormat', label: 'Message ids in receipts', required: false, secret: false, choices: ['same', 'decimal', 'hex'], description: 'decimal: the receipt has the decimal value of the hex id from submit_sm_resp; hex: the reverse' },
    { key: 'reassemblySeconds', label: 'Wait for missing MO parts (s)', required: false, secret: false, description: 'Default 300; then the parts received are stored with the gap marked' },
  ],
  capabilities: {
    sms: true,
    mms: false,
    senderId: true,
    statusCallbacks: true,
    // 10 concatenated parts of 153 GSM-7 septets; more is commonly refused by SMSCs.
    maxBodyLength: 1530,
    maxMediaCount: 0,
    maxMediaBytes: 0,
    // The session paces by the account's throughput setting instead.
    defaultMps: 0,
    signedWebhooks: true,
  },
};
