variable "aws_region" {
  description = "AWS region for everything; SES receives mail only in some regions (e.g. us-east-1, us-west-2, eu-west-1)."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix for every resource."
  type        = string
  default     = "inboxd"
}

variable "zone_id" {
  description = "Route 53 hosted zone that holds both the mail domain and the API domain."
  type        = string
}

variable "mail_domain" {
  description = "Domain that receives mail (MX → SES), e.g. mail.example.com. Becomes INBOXD_DOMAINS."
  type        = string
}

variable "api_domain" {
  description = "Host name of the HTTPS API (ALB), e.g. inboxd.example.com. SNS posts to https://<api_domain>/api/v1/ses/inbound."
  type        = string
}

variable "vpc_id" {
  description = "VPC to run in."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets for the load balancer (at least two availability zones)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets for the tasks, PostgreSQL and Redis (at least two availability zones, with a route to the internet through NAT for ECR, S3 and SNS)."
  type        = list(string)
}

variable "image_tag" {
  description = "Tag of the inboxd image in ECR to run: the commit SHA that .github/workflows/deploy.yml pushed (it pushes only commits whose CI passed; the repository is immutable, so no moving tag exists)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{40}$", var.image_tag))
    error_message = "image_tag is the full commit SHA the deploy workflow pushed (40 hex characters)."
  }
}

variable "api_desired_count" {
  description = "Stateless api nodes behind the load balancer."
  type        = number
  default     = 2
}

variable "sweeper_desired_count" {
  description = "Expiry sweepers (they elect one per tick with a PostgreSQL advisory lock, so more than one is safe)."
  type        = number
  default     = 1
}

variable "task_cpu" {
  description = "Fargate CPU units per task."
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Fargate memory (MiB) per task."
  type        = number
  default     = 1024
}

variable "db_instance_class" {
  description = "RDS PostgreSQL instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "RDS storage in GiB."
  type        = number
  default     = 50
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups (point-in-time recovery)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35: backups are not optional."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_num_cache_clusters" {
  description = "Redis nodes in the replication group (a primary and replicas, spread over zones)."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_num_cache_clusters >= 2
    error_message = "At least two Redis nodes, so a failover has somewhere to go."
  }
}

variable "raw_mail_retention_days" {
  description = "Days SES's raw copies stay in the S3 bucket (Inboxd keeps its own copy once delivered)."
  type        = number
  default     = 7
}

variable "inline_sns_action" {
  description = "Also publish each message inline through an SNS action (Base64). SES bounces mail over 150 KB when an SNS action is present, so keep this off unless every message is small; the S3 action alone delivers every size."
  type        = bool
  default     = false
}

variable "ecr_repositories" {
  description = "ECR repositories to create; the first holds the inboxd image."
  type        = list(string)
  default     = ["inboxd"]
}
