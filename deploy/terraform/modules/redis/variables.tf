variable "name" {
  description = "Name prefix."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cache."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets in two zones or more."
  type        = list(string)
}

variable "node_type" {
  description = "Node type."
  type        = string
}

variable "num_cache_clusters" {
  description = "Nodes (primary + replicas)."
  type        = number
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect."
  type        = list(string)
}
