output "api_url" {
  description = "Public HTTPS URL of the Inboxd API."
  value       = "https://${var.api_domain}"
}

output "webhook_url" {
  description = "The SES/SNS webhook SNS posts to."
  value       = local.webhook_url
}

output "sns_topic_arn" {
  description = "Topic SES notifies; Inboxd accepts it through INBOXD_SES_TOPIC_ARNS."
  value       = module.sns.topic_arn
}

output "raw_mail_bucket" {
  description = "Bucket SES writes raw messages to."
  value       = module.mail_bucket.bucket_name
}

output "ecr_repository_urls" {
  description = "ECR repository URLs by name."
  value       = module.ecr.repository_urls
}

output "ecs_cluster_name" {
  description = "ECS cluster running the api and sweeper services."
  value       = module.ecs.cluster_name
}

output "ecs_api_service_name" {
  description = "ECS service of the api tier (for deployments)."
  value       = module.ecs.api_service_name
}

output "ecs_sweeper_service_name" {
  description = "ECS service of the sweeper (for deployments)."
  value       = module.ecs.sweeper_service_name
}

output "database_endpoint" {
  description = "RDS endpoint (host:port)."
  value       = module.rds.endpoint
  sensitive   = true
}

output "redis_endpoint" {
  description = "Redis primary endpoint."
  value       = module.redis.primary_endpoint
  sensitive   = true
}
