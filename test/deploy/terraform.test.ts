// deploy/terraform is parsed with a JS HCL parser (WASM, shipped in the npm package: no terraform
// binary needed) and its wiring checked: the parts that would silently lose or expose mail if they
// were wrong. CI also runs `terraform fmt -check` and `terraform validate` (.github/workflows/ci.yml).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../deploy/terraform/', import.meta.url));

type Block = Record<string, any>;
/** blocks are `any`: the point of this test is asserting on their shape. */
interface TfModule {
  dir: string;
  resource: Record<string, Record<string, any>>;
  module: Record<string, any>;
  variable: Record<string, any>;
  output: Record<string, any>;
  locals: Block;
}

function tfDirs(dir: string): string[] {
  const out = readdirSync(dir).some((f) => f.endsWith('.tf')) ? [dir] : [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory() && f !== '.terraform') out.push(...tfDirs(p));
  }
  return out;
}

/** every .tf file of a folder merged into one module (hcl2json gives each block as a one-element list). */
async function loadModule(dir: string): Promise<TfModule> {
  const m: TfModule = { dir, resource: {}, module: {}, variable: {}, output: {}, locals: {} };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const json = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Record<string, any>;
    for (const [type, byName] of Object.entries<Record<string, Block[]>>(json.resource ?? {})) {
      for (const [name, [block]] of Object.entries(byName)) (m.resource[type] ??= {})[name] = block!;
    }
    for (const kind of ['module', 'variable', 'output'] as const) {
      for (const [name, [block]] of Object.entries<Block[]>(json[kind] ?? {})) m[kind][name] = block!;
    }
    for (const l of (json.locals ?? []) as Block[]) Object.assign(m.locals, l);
  }
  return m;
}

const mods = new Map<string, TfModule>();
let root: TfModule;
const mod = (name: string) => mods.get(resolve(ROOT, 'modules', name))!;
const res = (m: TfModule, type: string, name: string) => {
  const r = m.resource[type]?.[name];
  expect(r, `${relative(ROOT, m.dir) || '.'}: ${type}.${name}`).toBeTruthy();
  return r!;
};

beforeAll(async () => {
  for (const dir of tfDirs(ROOT)) mods.set(resolve(dir), await loadModule(dir));
  root = mods.get(resolve(ROOT))!;
});

describe('deploy/terraform', () => {
  it('parses every .tf file, and has variables.tf, outputs.tf and a README', () => {
    expect(mods.size).toBeGreaterThanOrEqual(10);
    for (const file of ['variables.tf', 'outputs.tf', 'README.md', 'versions.tf']) expect(existsSync(join(ROOT, file)), file).toBe(true);
    for (const m of mods.values()) {
      for (const [name, v] of Object.entries(m.variable)) expect(v.description, `${m.dir} var.${name}`).toBeTruthy();
    }
  });

  it('wires each module call to an existing module with exactly the variables it declares', () => {
    for (const m of mods.values()) {
      for (const [name, call] of Object.entries(m.module)) {
        const target = mods.get(resolve(m.dir, call.source));
        expect(target, `module.${name} source ${call.source}`).toBeTruthy();
        const passed = Object.keys(call).filter((k) => !['source', 'depends_on', 'providers', 'count', 'for_each'].includes(k));
        for (const k of passed) expect(target!.variable[k], `module.${name}.${k} is declared`).toBeTruthy();
        for (const [v, decl] of Object.entries(target!.variable)) {
          if (!('default' in decl)) expect(passed, `module.${name} sets required var.${v}`).toContain(v);
        }
        // every module.<name>.<output> referenced anywhere in the caller exists
        const text = JSON.stringify(m);
        for (const [, out] of text.matchAll(new RegExp(`module\\.${name}\\.([a-z_]+)`, 'g'))) expect(target!.output[out!], `module.${name}.${out}`).toBeTruthy();
      }
    }
  });

  it('points the receipt rule (scan on) at the SNS topic, through S3 for any size and optionally inline in Base64', () => {
    const ses = mod('ses');
    const rule = res(ses, 'aws_ses_receipt_rule', 'inbound');
    expect(rule.scan_enabled).toBe(true);
    expect(rule.enabled).toBe(true);
    expect(rule.recipients).toEqual(['${var.domain}']);
    const [s3] = rule.s3_action;
    expect(s3.topic_arn).toBe('${var.sns_topic_arn}');
    expect(s3.bucket_name).toBe('${var.bucket_name}');
    const [sns] = rule.dynamic.sns_action;
    expect(sns.content[0]).toMatchObject({ topic_arn: '${var.sns_topic_arn}', encoding: 'Base64' });
    // ...and the variable is the topic the webhook subscription is on
    expect(root.module.ses.sns_topic_arn).toBe('${module.sns.topic_arn}');
    expect(mod('sns').output.topic_arn.value).toBe('${aws_sns_topic.inbound.arn}');
    expect(root.module.ses.bucket_name).toBe('${module.mail_bucket.bucket_name}');
    expect(res(ses, 'aws_ses_active_receipt_rule_set', 'this').rule_set_name).toBe('${aws_ses_receipt_rule_set.this.rule_set_name}');
  });

  it('publishes MX to SES and DKIM records for the domain', () => {
    const ses = mod('ses');
    const mx = res(ses, 'aws_route53_record', 'mx');
    expect(mx.type).toBe('MX');
    expect(mx.records).toEqual(['10 ${local.ses_inbound_endpoint}']);
    expect(ses.locals.ses_inbound_endpoint).toBe('inbound-smtp.${var.aws_region}.amazonaws.com');
    const dkim = res(ses, 'aws_route53_record', 'dkim');
    expect(dkim.type).toBe('CNAME');
    expect(dkim.records[0]).toMatch(/\.dkim\.amazonses\.com$/);
    res(ses, 'aws_ses_domain_dkim', 'this');
  });

  it('sets a custom MAIL FROM domain with its MX to SES feedback and an SPF record naming SES', () => {
    const ses = mod('ses');
    const from = res(ses, 'aws_ses_domain_mail_from', 'this');
    expect(from.mail_from_domain).toBe('${var.mail_from_subdomain}.${var.domain}');
    const mx = res(ses, 'aws_route53_record', 'mail_from_mx');
    expect(mx.type).toBe('MX');
    expect(mx.name).toBe('${aws_ses_domain_mail_from.this.mail_from_domain}');
    expect(mx.records).toEqual(['10 feedback-smtp.${var.aws_region}.amazonses.com']);
    const spf = res(ses, 'aws_route53_record', 'mail_from_spf');
    expect(spf.type).toBe('TXT');
    expect(spf.records[0]).toMatch(/^v=spf1 include:amazonses\.com [-~]all$/);
  });

  it('runs only an image tag the deploy workflow pushes: a commit SHA, never a moving tag', () => {
    const tag = root.variable.image_tag;
    expect(tag.default).toBeUndefined();
    expect(JSON.stringify(tag.validation)).toContain('[0-9a-f]{40}');
    const workflow = readFileSync(fileURLToPath(new URL('../../.github/workflows/deploy.yml', import.meta.url)), 'utf8');
    expect(workflow).toMatch(/IMAGE: .*:\$\{\{ github\.event\.workflow_run\.head_sha \}\}/);
    expect(workflow).toMatch(/conclusion == 'success'/);
  });

  it('subscribes the webhook over HTTPS at /api/v1/ses/inbound, and the tasks accept that topic', () => {
    const sub = res(root, 'aws_sns_topic_subscription', 'webhook');
    expect(sub.protocol).toBe('https');
    expect(sub.topic_arn).toBe('${module.sns.topic_arn}');
    expect(sub.endpoint).toBe('${local.webhook_url}');
    expect(root.locals.webhook_url).toMatch(/^https:\/\/\$\{var\.api_domain\}\/api\/v1\/ses\/inbound$/);
    expect(root.module.ecs.sns_topic_arn).toBe('${module.sns.topic_arn}');
    const env = Object.fromEntries((mod('ecs').locals.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ INBOXD_ENV: 'production', INBOXD_SES_TOPIC_ARNS: '${var.sns_topic_arn}', INBOXD_HTTP_HOST: '0.0.0.0' });
    const secrets = (mod('ecs').locals.secrets as { name: string }[]).map((s) => s.name);
    expect(secrets.sort()).toEqual(['INBOXD_DATABASE_URL', 'INBOXD_REDIS_URL']);
  });

  it('runs the api tier and a sweeper from the same image, the api behind the load balancer', () => {
    const ecs = mod('ecs');
    expect(res(ecs, 'aws_ecs_task_definition', 'api').container_definitions).toMatch(/command\s*=\s*\["serve", "--roles", "api"\]/);
    expect(res(ecs, 'aws_ecs_task_definition', 'sweeper').container_definitions).toMatch(/command\s*=\s*\["serve", "--roles", "sweeper"\]/);
    expect(res(ecs, 'aws_ecs_service', 'api').launch_type).toBe('FARGATE');
    expect(res(ecs, 'aws_ecs_service', 'api').load_balancer[0].target_group_arn).toBe('${var.target_group_arn}');
    expect(res(mod('alb'), 'aws_lb_target_group', 'api').health_check[0].path).toBe('/health');
    expect(res(mod('alb'), 'aws_lb_listener', 'https').certificate_arn).toBe('${var.certificate_arn}');
    expect(root.module.alb.certificate_arn).toBe('${module.acm.certificate_arn}');
    // the task role may read raw mail from the bucket, and only that
    expect(JSON.stringify(ecs.resource)).not.toMatch(/s3:\*/);
    // and Inboxd itself reads only that bucket and prefix (a notification may name any object)
    const env = Object.fromEntries((ecs.locals.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ INBOXD_SES_S3_BUCKET: '${var.raw_mail_bucket_name}', INBOXD_SES_S3_KEY_PREFIX: '${var.raw_mail_key_prefix}' });
    // WebSocket, SSE and /mcp accept only a Host they know: the public name must be listed
    expect(env.INBOXD_ALLOWED_ORIGINS).toBe('https://${var.api_domain}');
    expect(root.module.ecs.api_domain).toBe('${var.api_domain}');
    expect(root.module.ecs).toMatchObject({ raw_mail_bucket_name: '${module.mail_bucket.bucket_name}', raw_mail_key_prefix: '${module.mail_bucket.object_key_prefix}' });
  });

  it('keeps the raw-mail bucket private, encrypted and expiring', () => {
    const b = mod('mail-bucket');
    const pab = res(b, 'aws_s3_bucket_public_access_block', 'this');
    expect(pab).toMatchObject({ bucket: '${aws_s3_bucket.this.id}', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const sse = res(b, 'aws_s3_bucket_server_side_encryption_configuration', 'this');
    expect(sse.bucket).toBe('${aws_s3_bucket.this.id}');
    expect(['AES256', 'aws:kms']).toContain(sse.rule[0].apply_server_side_encryption_by_default[0].sse_algorithm);
    const life = res(b, 'aws_s3_bucket_lifecycle_configuration', 'this');
    expect(life.rule[0].status).toBe('Enabled');
    expect(life.rule[0].expiration[0].days).toBe('${var.retention_days}');
    expect(JSON.stringify(res(b, 'aws_s3_bucket', 'this'))).not.toMatch(/public-read/);
  });

  it('runs PostgreSQL Multi-AZ with backups kept, encrypted', () => {
    const db = res(mod('rds'), 'aws_db_instance', 'this');
    expect(db.multi_az).toBe(true);
    expect(db.storage_encrypted).toBe(true);
    expect(db.publicly_accessible).toBe(false);
    expect(db.backup_retention_period).toBe('${var.backup_retention_days}');
    expect(root.module.rds.backup_retention_days).toBe('${var.db_backup_retention_days}');
    expect(root.variable.db_backup_retention_days.default).toBeGreaterThan(0);
  });

  it('runs Redis as a replication group with TLS in transit and an AUTH token', () => {
    const r = res(mod('redis'), 'aws_elasticache_replication_group', 'this');
    expect(r.transit_encryption_enabled).toBe(true);
    expect(r.at_rest_encryption_enabled).toBe(true);
    expect(r.automatic_failover_enabled).toBe(true);
    expect(r.auth_token).toBeTruthy();
    const url = res(mod('redis'), 'aws_secretsmanager_secret_version', 'redis_url').secret_string as string;
    expect(url.startsWith('rediss://')).toBe(true);
  });

  it('has ECR repositories that scan on push', () => {
    const repo = res(mod('ecr'), 'aws_ecr_repository', 'this');
    expect(repo.image_scanning_configuration[0].scan_on_push).toBe(true);
    expect(root.module.ecr.repositories).toBe('${var.ecr_repositories}');
  });
});
