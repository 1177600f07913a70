/**
 * `m365d incidents list/get/update` and `m365d alerts list/get/update`.
 * @packageDocumentation
 */
import type { Command } from 'commander';
import {
  ALERT_STATUSES,
  ALERT_UPDATE_STATUSES,
  CLASSIFICATIONS,
  DETERMINATIONS_BY_CLASSIFICATION,
  INCIDENT_STATUSES,
  INCIDENT_UPDATE_STATUSES,
  SERVICE_SOURCES,
  SEVERITIES,
  type Alert,
  type AlertListOptions,
  type AlertUpdate,
  type DefenderClient,
  type Incident,
  type IncidentListOptions,
  type IncidentUpdate,
  type PagedList,
} from '../index.js';
import { clientFor, type ConnectionFlags } from './config.js';
import { UsageError } from './exit.js';
import { choiceOf, sinceDate, textOf, withConnection, withOutput } from './flags.js';
import { writeListing, type ListingFlags, type ListingShape } from './listing.js';
import { outputOptions, writeRecord } from './output.js';

interface ListFlags extends ListingFlags {
  status?: string;
  severity?: string;
  assignedTo?: string;
  serviceSource?: string;
  since?: string;
  expandAlerts?: boolean;
}

interface UpdateFlags extends ConnectionFlags {
  status?: string;
  classification?: string;
  determination?: string;
  assignTo?: string;
  unassign?: boolean;
  tag?: string[];
  comment?: string;
  output?: string;
  csvSafe?: boolean;
}

/** The columns of an incident in a table or CSV. */
const INCIDENT_COLUMNS = ['id', 'displayName', 'status', 'severity', 'assignedTo', 'classification', 'determination', 'createdDateTime', 'lastUpdateDateTime', 'tags', 'alerts'];
/** The columns of an alert in a table or CSV. */
const ALERT_COLUMNS = ['id', 'incidentId', 'title', 'status', 'severity', 'serviceSource', 'assignedTo', 'classification', 'determination', 'createdDateTime', 'lastUpdateDateTime'];

function incidentRow(incident: Incident): Record<string, unknown> {
  return { ...incident, alerts: incident.alerts.length, comments: incident.comments.length };
}

function alertRow(alert: Alert): Record<string, unknown> {
  return { ...alert, evidence: alert.evidence.length, comments: alert.comments.length };
}

/**
 * The update the flags describe, its values checked before the client is built (a wrong one is a
 * usage error naming the flag); refuses an update that changes nothing.
 */
function updateOf(flags: UpdateFlags, noun: string): IncidentUpdate & AlertUpdate {
  const update: Record<string, unknown> = {};
  if (flags.status !== undefined) update.status = choiceOf('--status', flags.status, noun === 'incidents' ? INCIDENT_UPDATE_STATUSES : ALERT_UPDATE_STATUSES);
  const classification = choiceOf('--classification', flags.classification, CLASSIFICATIONS);
  if (classification !== undefined) update.classification = classification;
  if (flags.determination !== undefined) {
    if (classification === undefined) throw new UsageError('--determination goes with --classification (the service takes them as a pair).');
    update.determination = choiceOf(`--determination with --classification ${classification}`, flags.determination, DETERMINATIONS_BY_CLASSIFICATION[classification]);
  }
  if (flags.assignTo !== undefined && flags.unassign) throw new UsageError('give --assign-to or --unassign, not both.');
  if (flags.assignTo !== undefined) update.assignedTo = flags.assignTo;
  if (flags.unassign) update.assignedTo = null;
  if (flags.tag !== undefined) update.tags = flags.tag.map((tag) => textOf('--tag', tag)!);
  if (flags.comment !== undefined) update.comment = textOf('--comment', flags.comment);
  if (Object.keys(update).length === 0) {
    throw new UsageError(`${noun} update needs at least one change: --status, --classification, --determination, --assign-to, --unassign${noun === 'incidents' ? ', --tag' : ''} or --comment.`);
  }
  return update as IncidentUpdate & AlertUpdate;
}

interface Kind<T, L> extends ListingShape<T> {
  noun: 'incidents' | 'alerts';
  list: (client: DefenderClient, options: L) => PagedList<T>;
  get: (client: DefenderClient, id: string, flags: ListFlags) => Promise<T>;
  update: (client: DefenderClient, id: string, update: IncidentUpdate & AlertUpdate) => Promise<T>;
  listOptions: (flags: ListFlags) => L;
  examples: { list: string; get: string; update: string };
}

function register<T, L>(program: Command, kind: Kind<T, L>): void {
  const group = program.command(kind.noun).description(`list, show and update ${kind.noun}`);
  group.addHelpText('after', `\nExamples:\n  ${kind.examples.list}\n  ${kind.examples.get}\n  ${kind.examples.update}`);

  const list = withOutput(withConnection(group.command('list')))
    .description(`list ${kind.noun}, newest first as the service returns them`)
    .option('--status <status>', 'only this status')
    .option('--severity <severity>', 'only this severity')
    .option('--assigned-to <upn>', 'only those assigned to this owner')
    .option('--since <when>', 'only those changed since: a duration (24h, 7d, P7D) or an ISO 8601 date')
    .option('--limit <n>', 'at most N');
  if (kind.noun === 'incidents') list.option('--expand-alerts', "include each incident's alerts (JSON and NDJSON output)");
  else list.option('--service-source <source>', 'only alerts of this product, e.g. microsoftDefenderForEndpoint');
  list.addHelpText('after', `\nExample:\n  ${kind.examples.list}`).action(async (flags: ListFlags) => {
    // The filters first: a bad --since is a usage error whatever the configuration.
    const options = kind.listOptions(flags);
    await writeListing(flags, kind, (client) => kind.list(client, options));
  });

  withOutput(withConnection(group.command('get')))
    .description(`show one of the ${kind.noun} by id`)
    .argument('<id>', `the id`)
    .addHelpText('after', `\nExample:\n  ${kind.examples.get}`)
    .action(async (id: string, flags: ListFlags) => {
      const output = outputOptions(flags);
      const client = await clientFor(flags);
      const item = await kind.get(client, id, flags);
      await writeRecord(item as Record<string, unknown>, output, process.stdout, (record) => kind.row(record as T));
    });

  const update = withOutput(withConnection(group.command('update')))
    .description(`change one of the ${kind.noun}; prints it as it is afterwards`)
    .argument('<id>', 'the id')
    .option('--status <status>', kind.noun === 'incidents' ? 'active, inProgress, resolved or redirected' : 'new, inProgress or resolved')
    .option('--classification <classification>', 'truePositive, falsePositive, informationalExpectedActivity or unknown')
    .option('--determination <determination>', 'e.g. malware, phishing, securityTesting (needs --classification)')
    .option('--assign-to <upn>', 'new owner')
    .option('--unassign', 'remove the owner');
  if (kind.noun === 'incidents') update.option('--tag <tags...>', 'the complete new tag list (replaces the old one)');
  update
    .option('--comment <text>', 'add a comment')
    .addHelpText('after', `\nExample:\n  ${kind.examples.update}`)
    .action(async (id: string, flags: UpdateFlags) => {
      const output = outputOptions(flags);
      const changes = updateOf(flags, kind.noun);
      const client = await clientFor(flags);
      const item = await kind.update(client, id, changes);
      await writeRecord(item as Record<string, unknown>, output, process.stdout, (record) => kind.row(record as T));
    });
}

/** Registers `incidents` and `alerts`. */
export function registerRecords(program: Command): void {
  register<Incident, IncidentListOptions>(program, {
    noun: 'incidents',
    columns: INCIDENT_COLUMNS,
    row: incidentRow,
    list: (client, options) => client.incidents.list(options),
    get: (client, id) => client.incidents.get(id),
    update: (client, id, update) => client.incidents.update(id, update),
    listOptions: (flags) => {
      const options: IncidentListOptions = {};
      // Checked here, before the client is built: a wrong value is a usage error naming the flag.
      const status = choiceOf('--status', flags.status, INCIDENT_STATUSES);
      if (status !== undefined) options.status = status;
      const severity = choiceOf('--severity', flags.severity, SEVERITIES);
      if (severity !== undefined) options.severity = severity;
      if (flags.assignedTo !== undefined) options.assignedTo = textOf('--assigned-to', flags.assignedTo)!;
      if (flags.since !== undefined) options.updatedAfter = sinceDate('--since', flags.since);
      if (flags.expandAlerts) options.expandAlerts = true;
      return options;
    },
    examples: {
      list: 'm365d incidents list --status active --severity high --since 24h --output csv > incidents.csv',
      get: 'm365d incidents get 924521 --output json',
      update: 'm365d incidents update 924521 --status resolved --classification truePositive --determination malware --comment "Contained by SOC"',
    },
  });
  register<Alert, AlertListOptions>(program, {
    noun: 'alerts',
    columns: ALERT_COLUMNS,
    row: alertRow,
    list: (client, options) => client.alerts.list(options),
    get: (client, id) => client.alerts.get(id),
    update: (client, id, update) => client.alerts.update(id, update),
    listOptions: (flags) => {
      const options: AlertListOptions = {};
      const status = choiceOf('--status', flags.status, ALERT_STATUSES);
      if (status !== undefined) options.status = status;
      const severity = choiceOf('--severity', flags.severity, SEVERITIES);
      if (severity !== undefined) options.severity = severity;
      if (flags.assignedTo !== undefined) options.assignedTo = textOf('--assigned-to', flags.assignedTo)!;
      const serviceSource = choiceOf('--service-source', flags.serviceSource, SERVICE_SOURCES);
      if (serviceSource !== undefined) options.serviceSource = serviceSource;
      if (flags.since !== undefined) options.updatedAfter = sinceDate('--since', flags.since);
      return options;
    },
    examples: {
      list: 'm365d alerts list --status new --since 7d',
      get: 'm365d alerts get da637551227677560813_-961444813 --output json',
      update: 'm365d alerts update da637551227677560813_-961444813 --status inProgress --assign-to secop@contoso.com',
    },
  });
}
