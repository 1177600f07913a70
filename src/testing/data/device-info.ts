/*
 * `DeviceInfo` rows: a device's periodic report, as the advanced-hunting table documents it
 * (https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-deviceinfo-table). The columns
 * come from the device alone, so the generated rows and the rows an isolation adds agree.
 */
import { NETBIOS_DOMAIN } from './catalog.js';
import type { Directory, DirectoryDevice } from './directory.js';
import { HUNTING_TABLE_SCHEMAS } from './hunting-schemas.js';

/**
 * `AdditionalFields` of a `DeviceInfo` row: the kit's record of network isolation. Learn's page has
 * no isolation column (and no documented isolation `ActionType` was found), so the kit uses this JSON column.
 */
export function isolationFields(isolated: boolean): string {
  return isolated ? '{"IsolationState":"Isolated"}' : '{"IsolationState":"NotIsolated"}';
}

/** The device's report at `timestamp` (epoch ms), with its isolation state in `AdditionalFields`. */
export function deviceInfoRow(directory: Directory, device: DirectoryDevice, timestamp: number, reportId: number, isolated: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of HUNTING_TABLE_SCHEMAS.DeviceInfo) row[column.name] = column.type === 'string' ? '' : null;
  const owner = device.server ? undefined : directory.users[device.ownerIndex];
  const joined = device.aadDeviceId !== null;
  return Object.assign(row, {
    Timestamp: timestamp,
    DeviceId: device.deviceId,
    DeviceName: device.deviceName,
    ClientVersion: `10.8760.${device.osBuild}.1000`,
    // the site's NAT egress (documentation range), one of four per device id
    PublicIP: `198.51.100.${10 + (Number.parseInt(device.deviceId.slice(0, 2), 16) % 4)}`,
    OSArchitecture: '64-bit',
    OSPlatform: device.osPlatform,
    OSBuild: device.osBuild,
    IsAzureADJoined: joined,
    JoinType: joined ? 'Hybrid Azure AD Join' : 'Domain Joined',
    AadDeviceId: device.aadDeviceId ?? '',
    LoggedOnUsers: owner ? JSON.stringify([{ UserName: owner.accountName, DomainName: NETBIOS_DOMAIN, Sid: owner.sid }]) : '[]',
    OSVersion: '10.0',
    MachineGroup: device.rbacGroupName,
    ReportId: reportId,
    OnboardingStatus: 'Onboarded',
    AdditionalFields: isolationFields(isolated),
    DeviceCategory: 'Endpoint',
    DeviceType: device.server ? 'Server' : 'Workstation',
    OSVersionInfo: device.version,
    SensorHealthState: 'Active',
    ExposureLevel: device.server ? 'Medium' : 'Low',
    AssetValue: 'Normal',
    DeviceManualTags: JSON.stringify(device.tags),
    DeviceDynamicTags: '[]',
  });
}
