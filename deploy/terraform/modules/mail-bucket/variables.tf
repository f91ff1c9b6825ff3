variable "name" {
  description = "Name prefix."
  type        = string
}

variable "account_id" {
  description = "AWS account whose SES may write here."
  type        = string
}

variable "retention_days" {
  description = "Days before raw messages expire."
  type        = number
  default     = 7
}

variable "object_key_prefix" {
  description = "Key prefix SES writes under."
  type        = string
  default     = "inbound/"
}
