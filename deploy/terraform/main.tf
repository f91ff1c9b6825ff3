# Inboxd on AWS: MX → SES (receipt rule: scan, S3 action that notifies SNS) → SNS → HTTPS POST
# /api/v1/ses/inbound on an ALB → stateless Inboxd tasks on ECS Fargate → RDS PostgreSQL and
# ElastiCache Redis. See README.md beside this file.

data "aws_caller_identity" "current" {}

data "aws_vpc" "this" {
  id = var.vpc_id
}

locals {
  webhook_url = "https://${var.api_domain}/api/v1/ses/inbound"
}

module "ecr" {
  source = "./modules/ecr"

  repositories = var.ecr_repositories
}

module "mail_bucket" {
  source = "./modules/mail-bucket"

  name           = var.name
  account_id     = data.aws_caller_identity.current.account_id
  retention_days = var.raw_mail_retention_days
}

module "sns" {
  source = "./modules/sns"

  name       = var.name
  account_id = data.aws_caller_identity.current.account_id
}

module "ses" {
  source = "./modules/ses"

  name              = var.name
  aws_region        = var.aws_region
  zone_id           = var.zone_id
  domain            = var.mail_domain
  sns_topic_arn     = module.sns.topic_arn
  bucket_name       = module.mail_bucket.bucket_name
  object_key_prefix = module.mail_bucket.object_key_prefix
  inline_sns_action = var.inline_sns_action

  # SES checks at rule creation that it may write to the bucket
  depends_on = [module.mail_bucket]
}

module "acm" {
  source = "./modules/acm"

  domain  = var.api_domain
  zone_id = var.zone_id
}

module "alb" {
  source = "./modules/alb"

  name            = var.name
  vpc_id          = var.vpc_id
  subnet_ids      = var.public_subnet_ids
  certificate_arn = module.acm.certificate_arn
  zone_id         = var.zone_id
  domain          = var.api_domain
}

module "ecs" {
  source = "./modules/ecs"

  name                  = var.name
  aws_region            = var.aws_region
  vpc_id                = var.vpc_id
  vpc_cidr              = data.aws_vpc.this.cidr_block
  subnet_ids            = var.private_subnet_ids
  image                 = "${module.ecr.repository_urls[var.ecr_repositories[0]]}:${var.image_tag}"
  cpu                   = var.task_cpu
  memory                = var.task_memory
  api_desired_count     = var.api_desired_count
  sweeper_desired_count = var.sweeper_desired_count
  alb_security_group_id = module.alb.security_group_id
  target_group_arn      = module.alb.target_group_arn
  mail_domain           = var.mail_domain
  api_domain            = var.api_domain
  sns_topic_arn         = module.sns.topic_arn
  raw_mail_bucket_arn   = module.mail_bucket.bucket_arn
  raw_mail_bucket_name  = module.mail_bucket.bucket_name
  raw_mail_key_prefix   = module.mail_bucket.object_key_prefix
  database_url_secret   = module.rds.database_url_secret_arn
  redis_url_secret      = module.redis.redis_url_secret_arn
}

module "rds" {
  source = "./modules/rds"

  name                       = var.name
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.private_subnet_ids
  instance_class             = var.db_instance_class
  allocated_storage          = var.db_allocated_storage
  backup_retention_days      = var.db_backup_retention_days
  allowed_security_group_ids = [module.ecs.task_security_group_id]
}

module "redis" {
  source = "./modules/redis"

  name                       = var.name
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.private_subnet_ids
  node_type                  = var.redis_node_type
  num_cache_clusters         = var.redis_num_cache_clusters
  allowed_security_group_ids = [module.ecs.task_security_group_id]
}

# The webhook subscription comes last: SNS sends its SubscriptionConfirmation at once, and the
# api tier confirms it (GET SubscribeURL on sns.<region>.amazonaws.com) only once it is serving.
resource "aws_sns_topic_subscription" "webhook" {
  topic_arn              = module.sns.topic_arn
  protocol               = "https"
  endpoint               = local.webhook_url
  endpoint_auto_confirms = true
  raw_message_delivery   = false

  # Inboxd answers 5xx only when a retry can help (storage or S3 unavailable): retry for the
  # better part of the hour an HTTPS policy may last (about 50 minutes) instead of SNS's default
  # three tries 20 seconds apart.
  delivery_policy = jsonencode({
    healthyRetryPolicy = {
      numRetries         = 40
      numNoDelayRetries  = 0
      minDelayTarget     = 5
      maxDelayTarget     = 120
      numMinDelayRetries = 3
      numMaxDelayRetries = 20
      backoffFunction    = "exponential"
    }
    requestPolicy = {
      headerContentType = "text/plain; charset=UTF-8"
    }
  })

  depends_on = [module.ecs, module.alb]
}
