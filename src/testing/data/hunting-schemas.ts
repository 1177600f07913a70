/*
 * Columns and types of the advanced-hunting tables the fake tenant serves, as Microsoft's table
 * reference documents them (reference entra-keyvault-kql.md §4.8; `boolean` is KQL's `bool`).
 */
import type { KqlColumn, KqlType } from '../kql/types.js';

/** The hunting tables the fake tenant has. */
export type HuntingTableName =
  | 'DeviceProcessEvents'
  | 'DeviceNetworkEvents'
  | 'DeviceLogonEvents'
  | 'DeviceFileEvents'
  | 'EmailEvents'
  | 'IdentityLogonEvents'
  | 'AlertInfo'
  | 'AlertEvidence'
  | 'DeviceInfo';

/** `Name:type, Name:type, …` as columns. */
function columns(spec: string): readonly KqlColumn[] {
  return Object.freeze(
    spec.split(',').map((item) => {
      const [name, type] = item.trim().split(':') as [string, KqlType];
      return Object.freeze({ name, type });
    }),
  );
}

/**
 * Each hunting table's columns (name and KQL type), in the documented order. `datetime` cells of
 * the generated rows are epoch milliseconds (with a sub-millisecond fraction), which the KQL
 * engine reads and prints as the service does (`2024-03-26T09:39:50.7680000Z`).
 */
export const HUNTING_TABLE_SCHEMAS: Readonly<Record<HuntingTableName, readonly KqlColumn[]>> = Object.freeze({
  DeviceProcessEvents: columns(
    'Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, FileName:string, FolderPath:string, ' +
    'SHA1:string, SHA256:string, MD5:string, FileSize:long, ProcessVersionInfoCompanyName:string, ' +
    'ProcessVersionInfoProductName:string, ProcessVersionInfoProductVersion:string, ' +
    'ProcessVersionInfoInternalFileName:string, ProcessVersionInfoOriginalFileName:string, ' +
    'ProcessVersionInfoFileDescription:string, ProcessId:long, ProcessCommandLine:string, ' +
    'ProcessIntegrityLevel:string, ProcessTokenElevation:string, ProcessCreationTime:datetime, ' +
    'AccountDomain:string, AccountName:string, AccountSid:string, AccountUpn:string, AccountObjectId:string, ' +
    'LogonId:long, InitiatingProcessAccountDomain:string, InitiatingProcessAccountName:string, ' +
    'InitiatingProcessAccountSid:string, InitiatingProcessAccountUpn:string, ' +
    'InitiatingProcessAccountObjectId:string, InitiatingProcessLogonId:long, ' +
    'InitiatingProcessIntegrityLevel:string, InitiatingProcessTokenElevation:string, InitiatingProcessSHA1:string, ' +
    'InitiatingProcessSHA256:string, InitiatingProcessMD5:string, InitiatingProcessFileName:string, ' +
    'InitiatingProcessFileSize:long, InitiatingProcessVersionInfoCompanyName:string, ' +
    'InitiatingProcessVersionInfoProductName:string, InitiatingProcessVersionInfoProductVersion:string, ' +
    'InitiatingProcessVersionInfoInternalFileName:string, InitiatingProcessVersionInfoOriginalFileName:string, ' +
    'InitiatingProcessVersionInfoFileDescription:string, InitiatingProcessId:long, ' +
    'InitiatingProcessCommandLine:string, InitiatingProcessCreationTime:datetime, ' +
    'InitiatingProcessFolderPath:string, InitiatingProcessParentId:long, InitiatingProcessParentFileName:string, ' +
    'InitiatingProcessParentCreationTime:datetime, InitiatingProcessSignerType:string, ' +
    'InitiatingProcessSignatureStatus:string, ReportId:long, AppGuardContainerId:string, AdditionalFields:string, ' +
    'InitiatingProcessSessionId:long, IsInitiatingProcessRemoteSession:bool, ' +
    'InitiatingProcessRemoteSessionDeviceName:string, InitiatingProcessRemoteSessionIP:string, ' +
    'CreatedProcessSessionId:long, IsProcessRemoteSession:bool, ProcessRemoteSessionDeviceName:string, ' +
    'ProcessRemoteSessionIP:string, ProcessUniqueId:string, InitiatingProcessUniqueId:string, LogonID:long'),
  DeviceNetworkEvents: columns(
    'Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, RemoteIP:string, RemotePort:int, ' +
    'RemoteUrl:string, LocalIP:string, LocalPort:int, Protocol:string, LocalIPType:string, RemoteIPType:string, ' +
    'InitiatingProcessSHA1:string, InitiatingProcessSHA256:string, InitiatingProcessMD5:string, ' +
    'InitiatingProcessFileName:string, InitiatingProcessFileSize:long, ' +
    'InitiatingProcessVersionInfoCompanyName:string, InitiatingProcessVersionInfoProductName:string, ' +
    'InitiatingProcessVersionInfoProductVersion:string, InitiatingProcessVersionInfoInternalFileName:string, ' +
    'InitiatingProcessVersionInfoOriginalFileName:string, InitiatingProcessVersionInfoFileDescription:string, ' +
    'InitiatingProcessId:long, InitiatingProcessCommandLine:string, InitiatingProcessCreationTime:datetime, ' +
    'InitiatingProcessFolderPath:string, InitiatingProcessParentFileName:string, InitiatingProcessParentId:long, ' +
    'InitiatingProcessParentCreationTime:datetime, InitiatingProcessAccountDomain:string, ' +
    'InitiatingProcessAccountName:string, InitiatingProcessAccountSid:string, InitiatingProcessAccountUpn:string, ' +
    'InitiatingProcessAccountObjectId:string, InitiatingProcessIntegrityLevel:string, ' +
    'InitiatingProcessTokenElevation:string, ReportId:long, AppGuardContainerId:string, AdditionalFields:string, ' +
    'InitiatingProcessSessionId:long, IsInitiatingProcessRemoteSession:bool, ' +
    'InitiatingProcessRemoteSessionDeviceName:string, InitiatingProcessRemoteSessionIP:string, ' +
    'InitiatingProcessUniqueId:string, LogonID:long'),
  DeviceLogonEvents: columns(
    'Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, LogonType:string, ' +
    'AccountDomain:string, AccountName:string, AccountSid:string, Protocol:string, FailureReason:string, ' +
    'IsLocalAdmin:bool, LogonId:long, RemoteDeviceName:string, RemoteIP:string, RemoteIPType:string, ' +
    'RemotePort:int, InitiatingProcessAccountDomain:string, InitiatingProcessAccountName:string, ' +
    'InitiatingProcessAccountSid:string, InitiatingProcessAccountUpn:string, ' +
    'InitiatingProcessAccountObjectId:string, InitiatingProcessIntegrityLevel:string, ' +
    'InitiatingProcessTokenElevation:string, InitiatingProcessSHA1:string, InitiatingProcessSHA256:string, ' +
    'InitiatingProcessMD5:string, InitiatingProcessFileName:string, InitiatingProcessFileSize:long, ' +
    'InitiatingProcessVersionInfoCompanyName:string, InitiatingProcessVersionInfoProductName:string, ' +
    'InitiatingProcessVersionInfoProductVersion:string, InitiatingProcessVersionInfoInternalFileName:string, ' +
    'InitiatingProcessVersionInfoOriginalFileName:string, InitiatingProcessVersionInfoFileDescription:string, ' +
    'InitiatingProcessId:long, InitiatingProcessCommandLine:string, InitiatingProcessCreationTime:datetime, ' +
    'InitiatingProcessFolderPath:string, InitiatingProcessParentId:long, InitiatingProcessParentFileName:string, ' +
    'InitiatingProcessParentCreationTime:datetime, ReportId:long, AppGuardContainerId:string, ' +
    'AdditionalFields:string, InitiatingProcessSessionId:long, IsInitiatingProcessRemoteSession:bool, ' +
    'InitiatingProcessRemoteSessionDeviceName:string, InitiatingProcessRemoteSessionIP:string, ' +
    'InitiatingProcessUniqueId:string'),
  DeviceFileEvents: columns(
    'Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, FileName:string, FolderPath:string, ' +
    'SHA1:string, SHA256:string, MD5:string, FileOriginUrl:string, FileOriginReferrerUrl:string, ' +
    'FileOriginIP:string, PreviousFolderPath:string, PreviousFileName:string, FileSize:long, ' +
    'InitiatingProcessAccountDomain:string, InitiatingProcessAccountName:string, ' +
    'InitiatingProcessAccountSid:string, InitiatingProcessAccountUpn:string, ' +
    'InitiatingProcessAccountObjectId:string, InitiatingProcessMD5:string, InitiatingProcessSHA1:string, ' +
    'InitiatingProcessSHA256:string, InitiatingProcessFolderPath:string, InitiatingProcessFileName:string, ' +
    'InitiatingProcessFileSize:long, InitiatingProcessVersionInfoCompanyName:string, ' +
    'InitiatingProcessVersionInfoProductName:string, InitiatingProcessVersionInfoProductVersion:string, ' +
    'InitiatingProcessVersionInfoInternalFileName:string, InitiatingProcessVersionInfoOriginalFileName:string, ' +
    'InitiatingProcessVersionInfoFileDescription:string, InitiatingProcessId:long, ' +
    'InitiatingProcessCommandLine:string, InitiatingProcessCreationTime:datetime, ' +
    'InitiatingProcessIntegrityLevel:string, InitiatingProcessTokenElevation:string, ' +
    'InitiatingProcessParentId:long, InitiatingProcessParentFileName:string, ' +
    'InitiatingProcessParentCreationTime:datetime, RequestProtocol:string, RequestSourceIP:string, ' +
    'RequestSourcePort:int, RequestAccountName:string, RequestAccountDomain:string, RequestAccountSid:string, ' +
    'ShareName:string, SensitivityLabel:string, SensitivitySubLabel:string, IsAzureInfoProtectionApplied:bool, ' +
    'ReportId:long, AppGuardContainerId:string, AdditionalFields:string, InitiatingProcessSessionId:long, ' +
    'IsInitiatingProcessRemoteSession:bool, InitiatingProcessRemoteSessionDeviceName:string, ' +
    'InitiatingProcessRemoteSessionIP:string, InitiatingProcessUniqueId:string, LogonID:long'),
  EmailEvents: columns(
    'Timestamp:datetime, NetworkMessageId:string, InternetMessageId:string, SenderMailFromAddress:string, ' +
    'SenderFromAddress:string, SenderDisplayName:string, SenderObjectId:string, SenderMailFromDomain:string, ' +
    'SenderFromDomain:string, SenderIPv4:string, SenderIPv6:string, RecipientEmailAddress:string, ' +
    'RecipientObjectId:string, Subject:string, EmailClusterId:long, EmailDirection:string, DeliveryAction:string, ' +
    'DeliveryLocation:string, ThreatTypes:string, ThreatNames:string, DetectionMethods:string, ' +
    'ConfidenceLevel:string, BulkComplaintLevel:int, EmailAction:string, EmailActionPolicy:string, ' +
    'EmailActionPolicyGuid:string, AuthenticationDetails:string, AttachmentCount:int, UrlCount:int, ' +
    'EmailLanguage:string, Connectors:string, OrgLevelAction:string, OrgLevelPolicy:string, UserLevelAction:string, ' +
    'UserLevelPolicy:string, ReportId:string, AdditionalFields:string, LatestDeliveryLocation:string, ' +
    'LatestDeliveryAction:string, OriginalThreatTypes:string, OriginalDetectionMethods:string, ' +
    'OriginalConfidenceLevel:string, DistributionList:string, ExchangeTransportRule:string, ' +
    'ForwardingInformation:string, Context:string, To:string, Cc:string, ThreatClassification:string, ' +
    'RecipientDomain:string, EmailSize:long, IsFirstContact:int, Topics:string'),
  IdentityLogonEvents: columns(
    'Timestamp:datetime, ActionType:string, Application:string, LogonType:string, Protocol:string, ' +
    'FailureReason:string, AccountName:string, AccountDomain:string, AccountUpn:string, AccountSid:string, ' +
    'AccountObjectId:string, AccountDisplayName:string, DeviceName:string, DeviceType:string, OSPlatform:string, ' +
    'IPAddress:string, Port:int, DestinationDeviceName:string, DestinationIPAddress:string, DestinationPort:int, ' +
    'TargetDeviceName:string, TargetAccountDisplayName:string, Location:string, Isp:string, ReportId:string, ' +
    'AdditionalFields:dynamic'),
  AlertInfo: columns(
    'Timestamp:datetime, AlertId:string, Title:string, Category:string, Severity:string, ServiceSource:string, ' +
    'DetectionSource:string, AttackTechniques:string'),
  AlertEvidence: columns(
    'Timestamp:datetime, AlertId:string, Title:string, Categories:string, AttackTechniques:string, ' +
    'ServiceSource:string, DetectionSource:string, EntityType:string, EvidenceRole:string, ' +
    'EvidenceDirection:string, FileName:string, FolderPath:string, SHA1:string, SHA256:string, FileSize:long, ' +
    'ThreatFamily:string, RemoteIP:string, RemoteUrl:string, AccountName:string, AccountDomain:string, ' +
    'AccountSid:string, AccountObjectId:string, AccountUpn:string, DeviceId:string, DeviceName:string, ' +
    'LocalIP:string, NetworkMessageId:string, EmailSubject:string, Application:string, ApplicationId:int, ' +
    'OAuthApplicationId:string, ProcessCommandLine:string, RegistryKey:string, RegistryValueName:string, ' +
    'RegistryValueData:string, AdditionalFields:string, Severity:string, CloudResource:string, ' +
    'CloudPlatform:string, ResourceType:string, ResourceID:string, SubscriptionId:string'),
  // https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-deviceinfo-table (the main columns)
  DeviceInfo: columns(
    'Timestamp:datetime, DeviceId:string, DeviceName:string, ClientVersion:string, PublicIP:string, ' +
    'OSArchitecture:string, OSPlatform:string, OSBuild:long, IsAzureADJoined:bool, JoinType:string, ' +
    'AadDeviceId:string, LoggedOnUsers:string, RegistryDeviceTag:string, OSVersion:string, MachineGroup:string, ' +
    'ReportId:long, OnboardingStatus:string, AdditionalFields:string, DeviceCategory:string, DeviceType:string, ' +
    'OSVersionInfo:string, SensorHealthState:string, ExposureLevel:string, AssetValue:string, ' +
    'DeviceManualTags:string, DeviceDynamicTags:string'),
});

/** The table names, in a stable order. */
export const HUNTING_TABLE_NAMES = Object.keys(HUNTING_TABLE_SCHEMAS) as HuntingTableName[];
