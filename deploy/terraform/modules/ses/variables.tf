variable "name" {
  description = "Name prefix."
  type        = string
}

variable "aws_region" {
  description = "Region SES receives in (names the MX target)."
  type        = string
}

variable "zone_id" {
  description = "Route 53 zone of the domain."
  type        = string
}

variable "domain" {
  description = "Domain that receives mail."
  type        = string
}

variable "sns_topic_arn" {
  description = "Topic notified for each received message."
  type        = string
}

variable "bucket_name" {
  description = "Bucket the S3 action writes raw messages to."
  type        = string
}

variable "object_key_prefix" {
  description = "Key prefix for raw messages."
  type        = string
}

variable "inline_sns_action" {
  description = "Add an SNS action with the content inline (Base64); mail over 150 KB then bounces."
  type        = bool
  default     = false
}

variable "tls_policy" {
  description = "Require (\"Require\") or accept (\"Optional\") senders without TLS."
  type        = string
  default     = "Optional"
}

variable "mail_from_subdomain" {
  description = "Label of the custom MAIL FROM domain under the mail domain (bounce → bounce.<domain>)."
  type        = string
  default     = "bounce"
}
