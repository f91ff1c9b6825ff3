output "security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "target_group_arn" {
  description = "Target group of the api tasks."
  value       = aws_lb_target_group.api.arn
}

output "dns_name" {
  description = "The load balancer's own DNS name."
  value       = aws_lb.this.dns_name
}
