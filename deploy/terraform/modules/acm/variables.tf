variable "domain" {
  description = "Host name the certificate is for."
  type        = string
}

variable "zone_id" {
  description = "Route 53 zone for the validation records."
  type        = string
}
