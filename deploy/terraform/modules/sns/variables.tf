variable "name" {
  description = "Name prefix."
  type        = string
}

variable "account_id" {
  description = "AWS account whose SES may publish."
  type        = string
}
