output "cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "api_service_name" {
  description = "Api service."
  value       = aws_ecs_service.api.name
}

output "sweeper_service_name" {
  description = "Sweeper service."
  value       = aws_ecs_service.sweeper.name
}

output "task_security_group_id" {
  description = "Security group of the tasks (allowed into PostgreSQL and Redis)."
  value       = aws_security_group.task.id
}
