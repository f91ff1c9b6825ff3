output "primary_endpoint" {
  description = "Primary endpoint address."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
  sensitive   = true
}

output "redis_url_secret_arn" {
  description = "Secrets Manager ARN of INBOXD_REDIS_URL."
  value       = aws_secretsmanager_secret.redis_url.arn
}
