output "endpoint" {
  description = "host:port of the primary."
  value       = aws_db_instance.this.endpoint
  sensitive   = true
}

output "database_url_secret_arn" {
  description = "Secrets Manager ARN of INBOXD_DATABASE_URL."
  value       = aws_secretsmanager_secret.database_url.arn
}
