variable "name" {
  description = "Name prefix."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets (two zones or more)."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener."
  type        = string
}

variable "zone_id" {
  description = "Route 53 zone for the API record."
  type        = string
}

variable "domain" {
  description = "API host name."
  type        = string
}

variable "container_port" {
  description = "Port Inboxd's HTTP listens on in the task."
  type        = number
  default     = 8025
}
