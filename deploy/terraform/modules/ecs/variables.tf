variable "name" {
  description = "Name prefix."
  type        = string
}

variable "aws_region" {
  description = "Region (logs, S3)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tasks."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC: X-Forwarded-For is trusted from it (the load balancer)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks."
  type        = list(string)
}

variable "image" {
  description = "Full image reference (repository:tag)."
  type        = string
}

variable "cpu" {
  description = "CPU units of an api task."
  type        = number
}

variable "memory" {
  description = "Memory (MiB) of an api task."
  type        = number
}

variable "api_desired_count" {
  description = "Api tasks."
  type        = number
}

variable "sweeper_desired_count" {
  description = "Sweeper tasks."
  type        = number
}

variable "alb_security_group_id" {
  description = "Security group of the load balancer, allowed in."
  type        = string
}

variable "target_group_arn" {
  description = "Target group of the api tasks."
  type        = string
}

variable "api_domain" {
  description = "The API's public name (INBOXD_ALLOWED_ORIGINS: the Host streams and /mcp accept)."
  type        = string
}

variable "mail_domain" {
  description = "INBOXD_DOMAINS."
  type        = string
}

variable "sns_topic_arn" {
  description = "INBOXD_SES_TOPIC_ARNS."
  type        = string
}

variable "raw_mail_bucket_arn" {
  description = "Bucket the task role may read raw messages from."
  type        = string
}

variable "raw_mail_bucket_name" {
  description = "INBOXD_SES_S3_BUCKET: the same bucket, by name."
  type        = string
}

variable "raw_mail_key_prefix" {
  description = "INBOXD_SES_S3_KEY_PREFIX: the receipt rule's object key prefix."
  type        = string
}

variable "database_url_secret" {
  description = "Secrets Manager ARN holding INBOXD_DATABASE_URL."
  type        = string
}

variable "redis_url_secret" {
  description = "Secrets Manager ARN holding INBOXD_REDIS_URL."
  type        = string
}
