# Stateless Inboxd nodes on ECS Fargate, from one image: the api tier (`serve --roles api`)
# behind the load balancer, and the expiry sweeper (`serve --roles sweeper`). Both read the same
# settings; the database and Redis URLs (which carry credentials) come from Secrets Manager.

locals {
  container_port = 8025

  environment = [
    { name = "INBOXD_ENV", value = "production" },
    { name = "INBOXD_HTTP_HOST", value = "0.0.0.0" },
    { name = "INBOXD_HTTP_PORT", value = tostring(local.container_port) },
    { name = "INBOXD_DOMAINS", value = var.mail_domain },
    { name = "INBOXD_SES_TOPIC_ARNS", value = var.sns_topic_arn },
    { name = "INBOXD_SES_S3_REGION", value = var.aws_region },
    # the public origin: the Host that /mcp, WebSocket and SSE accept (DNS rebinding check)
    { name = "INBOXD_ALLOWED_ORIGINS", value = "https://${var.api_domain}" },
    # the webhook reads S3-action mail from this bucket and prefix only, whatever a notification names
    { name = "INBOXD_SES_S3_BUCKET", value = var.raw_mail_bucket_name },
    { name = "INBOXD_SES_S3_KEY_PREFIX", value = var.raw_mail_key_prefix },
    # X-Forwarded-For is believed only from inside the VPC (the load balancer)
    { name = "INBOXD_TRUSTED_PROXIES", value = var.vpc_cidr },
    { name = "INBOXD_LOG_LEVEL", value = "info" },
  ]

  secrets = [
    { name = "INBOXD_DATABASE_URL", valueFrom = var.database_url_secret },
    { name = "INBOXD_REDIS_URL", valueFrom = var.redis_url_secret },
  ]

  log_configuration = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = aws_cloudwatch_log_group.this.name
      awslogs-region        = var.aws_region
      awslogs-stream-prefix = "inboxd"
    }
  }
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = 30
}

data "aws_iam_policy_document" "assume_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# used by ECS itself: pull the image, write logs, read the two secrets
resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-exec-"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_secrets" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.database_url_secret, var.redis_url_secret]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "read-connection-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

# used by Inboxd: read the raw messages SES stored (the S3 path for large mail), nothing else
resource "aws_iam_role" "task" {
  name_prefix        = "${var.name}-task-"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

data "aws_iam_policy_document" "task" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${var.raw_mail_bucket_arn}/${var.raw_mail_key_prefix}*"]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "read-raw-mail"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

resource "aws_security_group" "task" {
  name_prefix = "${var.name}-task-"
  description = "Inboxd tasks"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_alb" {
  security_group_id            = aws_security_group.task.id
  description                  = "HTTP from the load balancer"
  referenced_security_group_id = var.alb_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = local.container_port
  to_port                      = local.container_port
}

# PostgreSQL, Redis, ECR, S3, and the SNS hosts (certificates, subscription confirmation)
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.task.id
  description       = "outbound"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_ecs_task_definition" "api" {
  family                   = "${var.name}-api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name                   = "inboxd"
    image                  = var.image
    essential              = true
    command                = ["serve", "--roles", "api"]
    readonlyRootFilesystem = true
    portMappings           = [{ containerPort = local.container_port, protocol = "tcp" }]
    environment            = local.environment
    secrets                = local.secrets
    logConfiguration       = local.log_configuration
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.container_port}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    # above INBOXD_SHUTDOWN_TIMEOUT (30 s), the longest serve drains on SIGTERM
    stopTimeout = 45
  }])
}

resource "aws_ecs_task_definition" "sweeper" {
  family                   = "${var.name}-sweeper"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name                   = "inboxd"
    image                  = var.image
    essential              = true
    command                = ["serve", "--roles", "sweeper"]
    readonlyRootFilesystem = true
    environment            = local.environment
    secrets                = local.secrets
    logConfiguration       = local.log_configuration
    stopTimeout            = 45
  }])
}

resource "aws_ecs_service" "api" {
  name                              = "${var.name}-api"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.api.arn
  desired_count                     = var.api_desired_count
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 60
  propagate_tags                    = "SERVICE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.task.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "inboxd"
    container_port   = local.container_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

resource "aws_ecs_service" "sweeper" {
  name            = "${var.name}-sweeper"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.sweeper.arn
  desired_count   = var.sweeper_desired_count
  launch_type     = "FARGATE"
  propagate_tags  = "SERVICE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.task.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}
