/**
 * Evidence attached to an alert: the devices, files, processes, accounts, addresses and mail
 * items involved. Modelled on Graph's `alertEvidence` subtypes (`deviceEvidence`,
 * `fileEvidence`, …); the Defender API's `devices[]` and `entities[]` map into the same shapes.
 * A field marked "Graph only" is `null` (or `[]`) on the Defender API, which does not send it;
 * "Defender API only" the other way round. Sources: Graph's alertEvidence resource and its
 * subtypes (https://learn.microsoft.com/graph/api/resources/security-alertevidence,
 * …/security-deviceevidence, …/security-analyzedmessageevidence) and the Defender API's
 * incident resource (https://learn.microsoft.com/defender-xdr/api-incident).
 *
 * @packageDocumentation
 */
import * as z from 'zod';
import type {
  DefenderAvStatus,
  DeviceHealthStatus,
  DeviceRiskScore,
  EvidenceVerdict,
  OnboardingStatus,
} from './enums.js';
import { EVIDENCE_TYPES } from './enums.js';
import { lazySchema, once } from './lazy-schema.js';

/** What every piece of evidence carries. */
export interface EvidenceBase {
  /** When the evidence was created (Graph only; `null` on the Defender API). */
  createdDateTime: Date | null;
  /** The verdict, e.g. `suspicious`; `null` when the API gave none. */
  verdict: EvidenceVerdict | null;
  /** Remediation status, e.g. `remediated` (Graph only; `null` on the Defender API). */
  remediationStatus: string | null;
  /** Details of the remediation status, as free text (Graph only). */
  remediationStatusDetails: string | null;
  /** Roles the evidence plays in the alert, e.g. `attacker` (Graph only; empty on the Defender API). */
  roles: string[];
  /**
   * The roles in words, free-form, e.g. `Main device` (Graph only; empty on the Defender API).
   */
  detailedRoles: string[];
  /** Tags (device tags on the Defender API). */
  tags: string[];
  /** The wire object this evidence was mapped from, with every field the API sent. */
  raw: Record<string, unknown>;
}

/** A user account as it appears in evidence. */
export interface UserAccount {
  /** SAM account name. */
  accountName: string | null;
  /** NetBIOS domain name. */
  domainName: string | null;
  /** Security identifier. */
  userSid: string | null;
  /** Microsoft Entra ID object id (legacy `aadUserId`). */
  azureAdUserId: string | null;
  /** User principal name. */
  userPrincipalName: string | null;
  /** Display name (Graph only). */
  displayName: string | null;
}

/** Details of a file: hashes, name and path. */
export interface FileDetails {
  /** SHA-1 hash. */
  sha1: string | null;
  /** SHA-256 hash. */
  sha256: string | null;
  /** MD5 hash (Graph only). */
  md5: string | null;
  /** File name. */
  fileName: string | null;
  /** Folder the file is in. */
  filePath: string | null;
  /** Size in bytes (Graph only). */
  fileSize: number | null;
  /** Publisher (Graph only). */
  filePublisher: string | null;
  /** Signer (Graph only). */
  signer: string | null;
  /** Certificate issuer (Graph only). */
  issuer: string | null;
}

/** Metadata of a virtual machine. */
export interface VmMetadata {
  /** VM id. */
  vmId: string | null;
  /** Cloud provider, e.g. `azure`. */
  cloudProvider: string | null;
  /** Cloud resource id. */
  resourceId: string | null;
  /** Subscription id. */
  subscriptionId: string | null;
}

/** A user signed in to a device at the time of the alert. */
export interface LoggedOnUser {
  /** SAM account name. */
  accountName: string | null;
  /** NetBIOS domain name. */
  domainName: string | null;
}

/** A sender of an e-mail message. */
export interface EmailSender {
  /** The sender's address. */
  emailAddress: string | null;
  /** The sender's display name. */
  displayName: string | null;
  /** The sender's domain. */
  domainName: string | null;
}

/** A device (Graph `deviceEvidence`; legacy `alert.devices[]`). */
export interface DeviceEvidence extends EvidenceBase {
  /** Discriminator: `'device'`. */
  type: 'device';
  /** Defender for Endpoint device id (legacy `mdatpDeviceId`). */
  mdeDeviceId: string | null;
  /** Microsoft Entra device id (legacy `aadDeviceId`), `null` unless Entra-joined. */
  azureAdDeviceId: string | null;
  /** Fully qualified DNS name. */
  deviceDnsName: string | null;
  /** OS platform, e.g. `Windows10`, `WindowsServer2016`. */
  osPlatform: string | null;
  /** OS build number. */
  osBuild: number | null;
  /** OS version, e.g. `1607`. */
  version: string | null;
  /** Processor architecture, e.g. `x64` (Defender API only). */
  osProcessor: string | null;
  /** The device's IP interfaces at the time of the alert (Graph only; empty on the Defender API). */
  ipInterfaces: string[];
  /** Users signed in to the device at the time of the alert (Graph only; empty on the Defender API). */
  loggedOnUsers: LoggedOnUser[];
  /** Sensor health, e.g. `active`. */
  healthStatus: DeviceHealthStatus | null;
  /** Risk score, e.g. `high`. */
  riskScore: DeviceRiskScore | null;
  /** Device group id. */
  rbacGroupId: number | null;
  /** Device group name. */
  rbacGroupName: string | null;
  /** Onboarding status, e.g. `onboarded`. */
  onboardingStatus: OnboardingStatus | null;
  /** Defender Antivirus status, e.g. `updated`. */
  defenderAvStatus: DefenderAvStatus | null;
  /** When the device was first seen (legacy `firstSeen`). */
  firstSeenDateTime: Date | null;
  /** VM metadata, if the device is a cloud VM. */
  vmMetadata: VmMetadata | null;
}

/** A file (Graph `fileEvidence`; legacy entity `File`). */
export interface FileEvidence extends EvidenceBase {
  /** Discriminator: `'file'`. */
  type: 'file';
  /** Hashes, name and path. */
  fileDetails: FileDetails;
  /** Detection status, e.g. `detected`, `blocked` (Graph only). */
  detectionStatus: string | null;
  /** The device the file was seen on (legacy entity `deviceId`). */
  mdeDeviceId: string | null;
}

/** A process (Graph `processEvidence`; legacy entity `Process`). */
export interface ProcessEvidence extends EvidenceBase {
  /** Discriminator: `'process'`. */
  type: 'process';
  /** Process id. */
  processId: number | null;
  /** Parent process id. */
  parentProcessId: number | null;
  /** Command line. */
  processCommandLine: string | null;
  /** When the process started (legacy `processCreationTime`). */
  processCreationDateTime: Date | null;
  /** When the parent process started (legacy `parentProcessCreationTime`). */
  parentProcessCreationDateTime: Date | null;
  /** The process's image file, when known. */
  imageFile: FileDetails | null;
  /** The parent process's image file (Graph only). */
  parentProcessImageFile: FileDetails | null;
  /** The account the process ran as, when known. */
  userAccount: UserAccount | null;
  /** Detection status (Graph only). */
  detectionStatus: string | null;
  /** The device the process ran on (legacy entity `deviceId`). */
  mdeDeviceId: string | null;
}

/** A user account (Graph `userEvidence`; legacy entity `User`). */
export interface UserEvidence extends EvidenceBase {
  /** Discriminator: `'user'`. */
  type: 'user';
  /** The account. */
  userAccount: UserAccount;
}

/** An IP address (Graph `ipEvidence`; legacy entity `Ip`). */
export interface IpEvidence extends EvidenceBase {
  /** Discriminator: `'ip'`. */
  type: 'ip';
  /** The address. */
  ipAddress: string | null;
  /** Two-letter country code (Graph only). */
  countryLetterCode: string | null;
}

/** A URL (Graph `urlEvidence`; legacy entity `Url`). */
export interface UrlEvidence extends EvidenceBase {
  /** Discriminator: `'url'`. */
  type: 'url';
  /** The URL. */
  url: string | null;
}

/** A mailbox (Graph `mailboxEvidence`; legacy entity `MailBox`). */
export interface MailboxEvidence extends EvidenceBase {
  /** Discriminator: `'mailbox'`. */
  type: 'mailbox';
  /** Display name (legacy `mailboxDisplayName`). */
  displayName: string | null;
  /** Primary SMTP address (legacy `mailboxAddress`). */
  primaryAddress: string | null;
  /** User principal name (legacy `userPrincipalName`). */
  upn: string | null;
  /** The owning account, when known. */
  userAccount: UserAccount | null;
}

/** An e-mail message (Graph `analyzedMessageEvidence`; legacy entity `MailMessage`). */
export interface MailMessageEvidence extends EvidenceBase {
  /** Discriminator: `'mailMessage'`. */
  type: 'mailMessage';
  /** Network message id (Graph only). */
  networkMessageId: string | null;
  /** Internet message id (Graph only). */
  internetMessageId: string | null;
  /** Subject line. */
  subject: string | null;
  /**
   * Sender address: legacy `sender`; on Graph `p2Sender.emailAddress`, else `p1Sender.emailAddress`.
   * Read {@link MailMessageEvidence.p1Sender} and {@link MailMessageEvidence.p2Sender} to tell them apart.
   */
  senderEmailAddress: string | null;
  /**
   * The P1 sender: the envelope (`MAIL FROM`) sender (Graph only; the Defender API's `sender`
   * does not say which it is, so it fills only `senderEmailAddress`).
   */
  p1Sender: EmailSender | null;
  /** The P2 sender: the `From:` header the recipient sees (Graph only). */
  p2Sender: EmailSender | null;
  /** Recipient address (legacy `recipient`). */
  recipientEmailAddress: string | null;
  /** The recipient's user principal name (Defender API only: its entity's `userPrincipalName`). */
  userPrincipalName: string | null;
  /** What happened to the message, e.g. `Delivered`. */
  deliveryAction: string | null;
  /** Where it was delivered, e.g. `Inbox` (Graph only). */
  deliveryLocation: string | null;
  /** IP address of the last mail server that relayed the message (Graph only). */
  senderIp: string | null;
  /** When the message was received (Graph only). */
  receivedDateTime: Date | null;
  /** The URLs in the message (Graph only; empty on the Defender API). */
  urls: string[];
  /** How many URLs the message holds (Graph only). */
  urlCount: number | null;
  /** How many attachments the message has (Graph only). */
  attachmentsCount: number | null;
  /** Names of the malware or other threats found in it (Graph only; empty on the Defender API). */
  threats: string[];
  /** How those threats were detected (Graph only; empty on the Defender API). */
  threatDetectionMethods: string[];
  /** The language detected in the message (Graph only). */
  language: string | null;
  /** Direction relative to your network: `inbound`, `outbound` or `intraorg` (Graph only). */
  antiSpamDirection: string | null;
  /** The URN of the automated investigation of the message (Graph only). */
  urn: string | null;
}

/** A cluster of similar messages (Graph `mailClusterEvidence`; legacy entity `MailCluster`). */
export interface MailClusterEvidence extends EvidenceBase {
  /** Discriminator: `'mailCluster'`. */
  type: 'mailCluster';
  /** What the cluster groups by, e.g. `Subject;P2SenderDomain;ContentType`. */
  clusterBy: string | null;
  /** The values grouped by (Graph only). */
  clusterByValue: string | null;
  /** Number of messages (Graph only). */
  emailCount: number | null;
  /** The query that defines the cluster (Graph only). */
  query: string | null;
}

/** A registry key (Graph `registryKeyEvidence`; legacy entity `Registry` without a value). */
export interface RegistryKeyEvidence extends EvidenceBase {
  /** Discriminator: `'registryKey'`. */
  type: 'registryKey';
  /** Hive, e.g. `HKEY_LOCAL_MACHINE`. */
  registryHive: string | null;
  /** Key path. */
  registryKey: string | null;
}

/** A registry value (Graph `registryValueEvidence`; legacy entity `Registry` with a value). */
export interface RegistryValueEvidence extends EvidenceBase {
  /** Discriminator: `'registryValue'`. */
  type: 'registryValue';
  /** Hive, e.g. `HKEY_LOCAL_MACHINE`. */
  registryHive: string | null;
  /** Key path. */
  registryKey: string | null;
  /** Value data. */
  registryValue: string | null;
  /** Value name (Graph only). */
  registryValueName: string | null;
  /** Value type, e.g. `String`. */
  registryValueType: string | null;
  /** The device the value is on (legacy entity `deviceId`). */
  mdeDeviceId: string | null;
}

/** A security group (Graph `securityGroupEvidence`; legacy entity `SecurityGroup`). */
export interface SecurityGroupEvidence extends EvidenceBase {
  /** Discriminator: `'securityGroup'`. */
  type: 'securityGroup';
  /** Group id. */
  securityGroupId: string | null;
  /** Group name (legacy `securityGroupName`). */
  displayName: string | null;
}

/**
 * Evidence of a kind the model does not type: read `raw`. `kind` names what the API called it
 * (legacy `entityType`, or Graph's `@odata.type`); `null` if it said nothing.
 */
export interface OtherEvidence extends EvidenceBase {
  /** Discriminator: `'other'`. */
  type: 'other';
  /** The API's name for this kind of evidence. */
  kind: string | null;
}

/** One piece of evidence, discriminated by `type`. Narrow with `switch (evidence.type)`. */
export type Evidence =
  | DeviceEvidence
  | FileEvidence
  | ProcessEvidence
  | UserEvidence
  | IpEvidence
  | UrlEvidence
  | MailboxEvidence
  | MailMessageEvidence
  | MailClusterEvidence
  | RegistryKeyEvidence
  | RegistryValueEvidence
  | SecurityGroupEvidence
  | OtherEvidence;

// ---- zod schemas of the public shapes (what a mapper must produce) ----
// Built on first use (lazy-schema.ts): nothing here runs at import.

/** The field types the schemas below share. */
const parts = once(() => {
  const str = z.string().nullable();
  const date = z.date().nullable();
  const strs = z.array(z.string());
  return {
    str,
    num: z.number().nullable(),
    date,
    strs,
    baseShape: {
      createdDateTime: date,
      verdict: str,
      remediationStatus: str,
      remediationStatusDetails: str,
      roles: strs,
      detailedRoles: strs,
      tags: z.array(z.string()),
      raw: z.record(z.string(), z.unknown()),
    },
  };
});

/** Schema of {@link UserAccount}. */
export const userAccountSchema = lazySchema(() => {
  const { str } = parts();
  return z.object({
    accountName: str,
    domainName: str,
    userSid: str,
    azureAdUserId: str,
    userPrincipalName: str,
    displayName: str,
  }) satisfies z.ZodType<UserAccount>;
});

/** Schema of {@link FileDetails}. */
export const fileDetailsSchema = lazySchema(() => {
  const { str, num } = parts();
  return z.object({
    sha1: str,
    sha256: str,
    md5: str,
    fileName: str,
    filePath: str,
    fileSize: num,
    filePublisher: str,
    signer: str,
    issuer: str,
  }) satisfies z.ZodType<FileDetails>;
});

/** Schema of {@link LoggedOnUser}. */
export const loggedOnUserSchema = lazySchema(() => {
  const { str } = parts();
  return z.object({ accountName: str, domainName: str }) satisfies z.ZodType<LoggedOnUser>;
});

/** Schema of {@link EmailSender}. */
export const emailSenderSchema = lazySchema(() => {
  const { str } = parts();
  return z.object({ emailAddress: str, displayName: str, domainName: str }) satisfies z.ZodType<EmailSender>;
});

/** Schema of {@link Evidence}: a union discriminated by `type`. */
export const evidenceSchema = lazySchema(() => {
  const { str, num, date, strs, baseShape } = parts();
  return z.discriminatedUnion('type', [
    z.object({
      ...baseShape,
      type: z.literal('device'),
      mdeDeviceId: str,
      azureAdDeviceId: str,
      deviceDnsName: str,
      osPlatform: str,
      osBuild: num,
      version: str,
      osProcessor: str,
      ipInterfaces: strs,
      loggedOnUsers: z.array(loggedOnUserSchema),
      healthStatus: str,
      riskScore: str,
      rbacGroupId: num,
      rbacGroupName: str,
      onboardingStatus: str,
      defenderAvStatus: str,
      firstSeenDateTime: date,
      vmMetadata: z.object({ vmId: str, cloudProvider: str, resourceId: str, subscriptionId: str }).nullable(),
    }),
    z.object({ ...baseShape, type: z.literal('file'), fileDetails: fileDetailsSchema, detectionStatus: str, mdeDeviceId: str }),
    z.object({
      ...baseShape,
      type: z.literal('process'),
      processId: num,
      parentProcessId: num,
      processCommandLine: str,
      processCreationDateTime: date,
      parentProcessCreationDateTime: date,
      imageFile: fileDetailsSchema.nullable(),
      parentProcessImageFile: fileDetailsSchema.nullable(),
      userAccount: userAccountSchema.nullable(),
      detectionStatus: str,
      mdeDeviceId: str,
    }),
    z.object({ ...baseShape, type: z.literal('user'), userAccount: userAccountSchema }),
    z.object({ ...baseShape, type: z.literal('ip'), ipAddress: str, countryLetterCode: str }),
    z.object({ ...baseShape, type: z.literal('url'), url: str }),
    z.object({
      ...baseShape,
      type: z.literal('mailbox'),
      displayName: str,
      primaryAddress: str,
      upn: str,
      userAccount: userAccountSchema.nullable(),
    }),
    z.object({
      ...baseShape,
      type: z.literal('mailMessage'),
      networkMessageId: str,
      internetMessageId: str,
      subject: str,
      senderEmailAddress: str,
      p1Sender: emailSenderSchema.nullable(),
      p2Sender: emailSenderSchema.nullable(),
      recipientEmailAddress: str,
      userPrincipalName: str,
      deliveryAction: str,
      deliveryLocation: str,
      senderIp: str,
      receivedDateTime: date,
      urls: strs,
      urlCount: num,
      attachmentsCount: num,
      threats: strs,
      threatDetectionMethods: strs,
      language: str,
      antiSpamDirection: str,
      urn: str,
    }),
    z.object({ ...baseShape, type: z.literal('mailCluster'), clusterBy: str, clusterByValue: str, emailCount: num, query: str }),
    z.object({ ...baseShape, type: z.literal('registryKey'), registryHive: str, registryKey: str }),
    z.object({
      ...baseShape,
      type: z.literal('registryValue'),
      registryHive: str,
      registryKey: str,
      registryValue: str,
      registryValueName: str,
      registryValueType: str,
      mdeDeviceId: str,
    }),
    z.object({ ...baseShape, type: z.literal('securityGroup'), securityGroupId: str, displayName: str }),
    z.object({ ...baseShape, type: z.literal('other'), kind: str }),
  ]) satisfies z.ZodType<Evidence>;
});

// Keeps EVIDENCE_TYPES and the union in step: a type added to one but not the other fails to compile.
type SchemaTypes = z.output<typeof evidenceSchema>['type'];
const _sameTypes: [SchemaTypes, (typeof EVIDENCE_TYPES)[number]] extends [(typeof EVIDENCE_TYPES)[number], SchemaTypes]
  ? true
  : never = true;
void _sameTypes;
