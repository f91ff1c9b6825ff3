variable "name" {
  description = "Name prefix."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets in two zones or more."
  type        = list(string)
}

variable "instance_class" {
  description = "Instance class."
  type        = string
}

variable "allocated_storage" {
  description = "Storage in GiB."
  type        = number
}

variable "backup_retention_days" {
  description = "Days of automated backups."
  type        = number

  validation {
    condition     = var.backup_retention_days >= 1
    error_message = "Automated backups must be on (at least one day)."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect."
  type        = list(string)
}
