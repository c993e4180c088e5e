export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  public: {
    Tables: {
      activity: {
        Row: {
          action: string;
          actor_id: string | null;
          created_at: string;
          entity_id: string;
          entity_type: string;
          id: number;
          payload: NonNullable<Json>;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          action: string;
          actor_id?: string | null;
          created_at?: string;
          entity_id: string;
          entity_type: string;
          id?: never;
          payload?: NonNullable<Json>;
          workspace_id: string;
        };
        Update: {
          action?: string;
          actor_id?: string | null;
          created_at?: string;
          entity_id?: string;
          entity_type?: string;
          id?: never;
          payload?: NonNullable<Json>;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'activity_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      attachments: {
        Row: {
          created_at: string;
          file_name: string;
          id: string;
          mime_type: string;
          object_id: string;
          object_path: string;
          size_bytes: number;
          task_id: string;
          updated_at: string;
          uploaded_by: string | null;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          created_at?: string;
          file_name: string;
          id?: string;
          mime_type?: string;
          object_id: string;
          object_path: string;
          size_bytes?: number;
          task_id: string;
          updated_at?: string;
          uploaded_by?: string | null;
          workspace_id: string;
        };
        Update: {
          created_at?: string;
          file_name?: string;
          id?: string;
          mime_type?: string;
          object_id?: string;
          object_path?: string;
          size_bytes?: number;
          task_id?: string;
          updated_at?: string;
          uploaded_by?: string | null;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'attachments_task_fkey';
            columns: ['task_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'tasks';
            referencedColumns: ['id', 'workspace_id'];
          },
        ];
      };
      audit_log: {
        Row: {
          action: string;
          actor_id: string | null;
          actor_type: string;
          changes: NonNullable<Json>;
          id: number;
          ip: unknown;
          occurred_at: string;
          target_id: string;
          target_table: string;
          user_agent: string | null;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          action: string;
          actor_id?: string | null;
          actor_type: string;
          changes?: NonNullable<Json>;
          id?: never;
          ip?: unknown;
          occurred_at?: string;
          target_id: string;
          target_table: string;
          user_agent?: string | null;
          workspace_id: string;
        };
        Update: {
          action?: string;
          actor_id?: string | null;
          actor_type?: string;
          changes?: NonNullable<Json>;
          id?: never;
          ip?: unknown;
          occurred_at?: string;
          target_id?: string;
          target_table?: string;
          user_agent?: string | null;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'audit_log_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      billing_prices: {
        Row: {
          created_at: string;
          plan_id: string;
          stripe_price_id: string;
        };
        ComputedFields: never;
        Insert: {
          created_at?: string;
          plan_id: string;
          stripe_price_id: string;
        };
        Update: {
          created_at?: string;
          plan_id?: string;
          stripe_price_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'billing_prices_plan_id_fkey';
            columns: ['plan_id'];
            isOneToOne: false;
            referencedRelation: 'plans';
            referencedColumns: ['id'];
          },
        ];
      };
      comments: {
        Row: {
          author_id: string | null;
          body: string;
          created_at: string;
          deleted_at: string | null;
          deleted_by: string | null;
          deleted_with_parent: boolean;
          edited_at: string | null;
          id: string;
          task_id: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          author_id?: string | null;
          body: string;
          created_at?: string;
          deleted_at?: string | null;
          deleted_by?: string | null;
          deleted_with_parent?: boolean;
          edited_at?: string | null;
          id?: string;
          task_id: string;
          workspace_id: string;
        };
        Update: {
          author_id?: string | null;
          body?: string;
          created_at?: string;
          deleted_at?: string | null;
          deleted_by?: string | null;
          deleted_with_parent?: boolean;
          edited_at?: string | null;
          id?: string;
          task_id?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'comments_author_id_fkey';
            columns: ['author_id'];
            isOneToOne: false;
            referencedRelation: 'profiles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'comments_task_fkey';
            columns: ['task_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'tasks';
            referencedColumns: ['id', 'workspace_id'];
          },
        ];
      };
      invitations: {
        Row: {
          accepted_at: string | null;
          accepted_by: string | null;
          created_at: string;
          email: string;
          expires_at: string;
          id: string;
          invited_by: string | null;
          last_sent_at: string;
          revoked_at: string | null;
          role: Database['public']['Enums']['workspace_role'];
          send_count: number;
          token_hash: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          accepted_at?: string | null;
          accepted_by?: string | null;
          created_at?: string;
          email: string;
          expires_at?: string;
          id?: string;
          invited_by?: string | null;
          last_sent_at?: string;
          revoked_at?: string | null;
          role?: Database['public']['Enums']['workspace_role'];
          send_count?: number;
          token_hash: string;
          workspace_id: string;
        };
        Update: {
          accepted_at?: string | null;
          accepted_by?: string | null;
          created_at?: string;
          email?: string;
          expires_at?: string;
          id?: string;
          invited_by?: string | null;
          last_sent_at?: string;
          revoked_at?: string | null;
          role?: Database['public']['Enums']['workspace_role'];
          send_count?: number;
          token_hash?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'invitations_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      invite_links: {
        Row: {
          created_at: string;
          created_by: string | null;
          expires_at: string;
          id: string;
          max_uses: number;
          revoked_at: string | null;
          role_id: string;
          token_hash: string;
          use_count: number;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          created_at?: string;
          created_by?: string | null;
          expires_at: string;
          id?: string;
          max_uses: number;
          revoked_at?: string | null;
          role_id: string;
          token_hash: string;
          use_count?: number;
          workspace_id: string;
        };
        Update: {
          created_at?: string;
          created_by?: string | null;
          expires_at?: string;
          id?: string;
          max_uses?: number;
          revoked_at?: string | null;
          role_id?: string;
          token_hash?: string;
          use_count?: number;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'invite_links_role_id_fkey';
            columns: ['role_id'];
            isOneToOne: false;
            referencedRelation: 'roles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'invite_links_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      labels: {
        Row: {
          color: string;
          created_at: string;
          id: string;
          name: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          color?: string;
          created_at?: string;
          id?: string;
          name: string;
          workspace_id: string;
        };
        Update: {
          color?: string;
          created_at?: string;
          id?: string;
          name?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'labels_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      notifications: {
        Row: {
          actor_id: string | null;
          comment_id: string | null;
          created_at: string;
          details: Json | null;
          id: string;
          read_at: string | null;
          recipient_id: string;
          task_id: string | null;
          type: Database['public']['Enums']['notification_type'];
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          actor_id?: string | null;
          comment_id?: string | null;
          created_at?: string;
          details?: Json | null;
          id?: string;
          read_at?: string | null;
          recipient_id: string;
          task_id?: string | null;
          type: Database['public']['Enums']['notification_type'];
          workspace_id: string;
        };
        Update: {
          actor_id?: string | null;
          comment_id?: string | null;
          created_at?: string;
          details?: Json | null;
          id?: string;
          read_at?: string | null;
          recipient_id?: string;
          task_id?: string | null;
          type?: Database['public']['Enums']['notification_type'];
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'notifications_actor_id_fkey';
            columns: ['actor_id'];
            isOneToOne: false;
            referencedRelation: 'profiles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'notifications_comment_id_fkey';
            columns: ['comment_id'];
            isOneToOne: false;
            referencedRelation: 'comments';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'notifications_recipient_id_fkey';
            columns: ['recipient_id'];
            isOneToOne: false;
            referencedRelation: 'profiles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'notifications_task_fkey';
            columns: ['task_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'tasks';
            referencedColumns: ['id', 'workspace_id'];
          },
          {
            foreignKeyName: 'notifications_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      permissions: {
        Row: {
          description: string;
          id: string;
          implies: string[];
          owner_only: boolean;
        };
        ComputedFields: never;
        Insert: {
          description: string;
          id: string;
          implies?: string[];
          owner_only?: boolean;
        };
        Update: {
          description?: string;
          id?: string;
          implies?: string[];
          owner_only?: boolean;
        };
        Relationships: [];
      };
      plans: {
        Row: {
          api_requests_per_minute: number;
          audit_retention_days: number | null;
          created_at: string;
          id: string;
          max_members: number | null;
          max_projects: number | null;
          name: string;
          past_due_grace: string;
          storage_limit_bytes: number;
        };
        ComputedFields: never;
        Insert: {
          api_requests_per_minute?: number;
          audit_retention_days?: number | null;
          created_at?: string;
          id: string;
          max_members?: number | null;
          max_projects?: number | null;
          name: string;
          past_due_grace?: string;
          storage_limit_bytes: number;
        };
        Update: {
          api_requests_per_minute?: number;
          audit_retention_days?: number | null;
          created_at?: string;
          id?: string;
          max_members?: number | null;
          max_projects?: number | null;
          name?: string;
          past_due_grace?: string;
          storage_limit_bytes?: number;
        };
        Relationships: [];
      };
      profiles: {
        Row: {
          avatar_path: string | null;
          created_at: string;
          display_name: string;
          id: string;
          updated_at: string;
        };
        ComputedFields: never;
        Insert: {
          avatar_path?: string | null;
          created_at?: string;
          display_name: string;
          id: string;
          updated_at?: string;
        };
        Update: {
          avatar_path?: string | null;
          created_at?: string;
          display_name?: string;
          id?: string;
          updated_at?: string;
        };
        Relationships: [];
      };
      projects: {
        Row: {
          archived: boolean;
          created_at: string;
          created_by: string | null;
          deleted_at: string | null;
          deleted_by: string | null;
          description: string;
          id: string;
          key: string;
          name: string;
          next_task_number: number;
          updated_at: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          archived?: boolean;
          created_at?: string;
          created_by?: string | null;
          deleted_at?: string | null;
          deleted_by?: string | null;
          description?: string;
          id?: string;
          key: string;
          name: string;
          next_task_number?: number;
          updated_at?: string;
          workspace_id: string;
        };
        Update: {
          archived?: boolean;
          created_at?: string;
          created_by?: string | null;
          deleted_at?: string | null;
          deleted_by?: string | null;
          description?: string;
          id?: string;
          key?: string;
          name?: string;
          next_task_number?: number;
          updated_at?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'projects_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      roles: {
        Row: {
          builtin: Database['public']['Enums']['workspace_role'] | null;
          created_at: string;
          description: string;
          id: string;
          name: string;
          permissions: string[];
          updated_at: string;
          workspace_id: string | null;
        };
        ComputedFields: never;
        Insert: {
          builtin?: Database['public']['Enums']['workspace_role'] | null;
          created_at?: string;
          description?: string;
          id?: string;
          name: string;
          permissions?: string[];
          updated_at?: string;
          workspace_id?: string | null;
        };
        Update: {
          builtin?: Database['public']['Enums']['workspace_role'] | null;
          created_at?: string;
          description?: string;
          id?: string;
          name?: string;
          permissions?: string[];
          updated_at?: string;
          workspace_id?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: 'roles_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      stripe_events: {
        Row: {
          id: string;
          outcome: string;
          received_at: string;
          stripe_created_at: string;
          type: string;
          workspace_id: string | null;
        };
        ComputedFields: never;
        Insert: {
          id: string;
          outcome: string;
          received_at?: string;
          stripe_created_at: string;
          type: string;
          workspace_id?: string | null;
        };
        Update: {
          id?: string;
          outcome?: string;
          received_at?: string;
          stripe_created_at?: string;
          type?: string;
          workspace_id?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: 'stripe_events_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      task_labels: {
        Row: {
          label_id: string;
          task_id: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          label_id: string;
          task_id: string;
          workspace_id: string;
        };
        Update: {
          label_id?: string;
          task_id?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'task_labels_label_fkey';
            columns: ['label_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'labels';
            referencedColumns: ['id', 'workspace_id'];
          },
          {
            foreignKeyName: 'task_labels_task_fkey';
            columns: ['task_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'tasks';
            referencedColumns: ['id', 'workspace_id'];
          },
        ];
      };
      tasks: {
        Row: {
          assignee_id: string | null;
          created_at: string;
          created_by: string | null;
          deleted_at: string | null;
          deleted_by: string | null;
          deleted_with_parent: boolean;
          description: string;
          due_date: string | null;
          id: string;
          number: number;
          position: number;
          priority: Database['public']['Enums']['task_priority'];
          project_id: string;
          search_vector: unknown;
          status: Database['public']['Enums']['task_status'];
          title: string;
          updated_at: string;
          workspace_id: string;
          key: string | null;
        };
        ComputedFields: 'key';
        Insert: {
          assignee_id?: string | null;
          created_at?: string;
          created_by?: string | null;
          deleted_at?: string | null;
          deleted_by?: string | null;
          deleted_with_parent?: boolean;
          description?: string;
          due_date?: string | null;
          id?: string;
          number?: number;
          position?: number;
          priority?: Database['public']['Enums']['task_priority'];
          project_id: string;
          search_vector?: never;
          status?: Database['public']['Enums']['task_status'];
          title: string;
          updated_at?: string;
          workspace_id: string;
        };
        Update: {
          assignee_id?: string | null;
          created_at?: string;
          created_by?: string | null;
          deleted_at?: string | null;
          deleted_by?: string | null;
          deleted_with_parent?: boolean;
          description?: string;
          due_date?: string | null;
          id?: string;
          number?: number;
          position?: number;
          priority?: Database['public']['Enums']['task_priority'];
          project_id?: string;
          search_vector?: never;
          status?: Database['public']['Enums']['task_status'];
          title?: string;
          updated_at?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'tasks_assignee_fkey';
            columns: ['assignee_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspace_members';
            referencedColumns: ['user_id', 'workspace_id'];
          },
          {
            foreignKeyName: 'tasks_assignee_profile_fkey';
            columns: ['assignee_id'];
            isOneToOne: false;
            referencedRelation: 'profiles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'tasks_project_fkey';
            columns: ['project_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'projects';
            referencedColumns: ['id', 'workspace_id'];
          },
        ];
      };
      webhook_deliveries: {
        Row: {
          attempts: number;
          created_at: string;
          delivered_at: string | null;
          endpoint_id: string;
          event_id: string;
          event_type: string;
          id: string;
          last_attempt_at: string | null;
          last_error: string | null;
          last_response: string | null;
          last_status_code: number | null;
          next_attempt_at: string;
          status: Database['public']['Enums']['webhook_delivery_status'];
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          attempts?: number;
          created_at?: string;
          delivered_at?: string | null;
          endpoint_id: string;
          event_id: string;
          event_type: string;
          id?: string;
          last_attempt_at?: string | null;
          last_error?: string | null;
          last_response?: string | null;
          last_status_code?: number | null;
          next_attempt_at?: string;
          status?: Database['public']['Enums']['webhook_delivery_status'];
          workspace_id: string;
        };
        Update: {
          attempts?: number;
          created_at?: string;
          delivered_at?: string | null;
          endpoint_id?: string;
          event_id?: string;
          event_type?: string;
          id?: string;
          last_attempt_at?: string | null;
          last_error?: string | null;
          last_response?: string | null;
          last_status_code?: number | null;
          next_attempt_at?: string;
          status?: Database['public']['Enums']['webhook_delivery_status'];
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'webhook_deliveries_endpoint_fkey';
            columns: ['endpoint_id', 'workspace_id'];
            isOneToOne: false;
            referencedRelation: 'webhook_endpoints';
            referencedColumns: ['id', 'workspace_id'];
          },
          {
            foreignKeyName: 'webhook_deliveries_event_id_fkey';
            columns: ['event_id'];
            isOneToOne: false;
            referencedRelation: 'webhook_events';
            referencedColumns: ['id'];
          },
        ];
      };
      webhook_delivery_attempts: {
        Row: {
          attempted_at: string;
          delivery_id: string;
          endpoint_id: string;
          error: string | null;
          id: number;
          latency_ms: number | null;
          response_excerpt: string | null;
          status_code: number | null;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          attempted_at?: string;
          delivery_id: string;
          endpoint_id: string;
          error?: string | null;
          id?: never;
          latency_ms?: number | null;
          response_excerpt?: string | null;
          status_code?: number | null;
          workspace_id: string;
        };
        Update: {
          attempted_at?: string;
          delivery_id?: string;
          endpoint_id?: string;
          error?: string | null;
          id?: never;
          latency_ms?: number | null;
          response_excerpt?: string | null;
          status_code?: number | null;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'webhook_delivery_attempts_delivery_id_fkey';
            columns: ['delivery_id'];
            isOneToOne: false;
            referencedRelation: 'webhook_deliveries';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'webhook_delivery_attempts_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      webhook_endpoints: {
        Row: {
          created_at: string;
          created_by: string | null;
          description: string;
          disabled_at: string | null;
          disabled_reason: string | null;
          enabled: boolean;
          event_types: string[];
          failing_since: string | null;
          id: string;
          secret_rotated_at: string | null;
          updated_at: string;
          url: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          created_at?: string;
          created_by?: string | null;
          description?: string;
          disabled_at?: string | null;
          disabled_reason?: string | null;
          enabled?: boolean;
          event_types?: string[];
          failing_since?: string | null;
          id?: string;
          secret_rotated_at?: string | null;
          updated_at?: string;
          url: string;
          workspace_id: string;
        };
        Update: {
          created_at?: string;
          created_by?: string | null;
          description?: string;
          disabled_at?: string | null;
          disabled_reason?: string | null;
          enabled?: boolean;
          event_types?: string[];
          failing_since?: string | null;
          id?: string;
          secret_rotated_at?: string | null;
          updated_at?: string;
          url?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'webhook_endpoints_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      webhook_event_types: {
        Row: {
          description: string;
          type: string;
        };
        ComputedFields: never;
        Insert: {
          description: string;
          type: string;
        };
        Update: {
          description?: string;
          type?: string;
        };
        Relationships: [];
      };
      webhook_events: {
        Row: {
          id: string;
          occurred_at: string;
          payload: NonNullable<Json>;
          type: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          id?: string;
          occurred_at?: string;
          payload: NonNullable<Json>;
          type: string;
          workspace_id: string;
        };
        Update: {
          id?: string;
          occurred_at?: string;
          payload?: NonNullable<Json>;
          type?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'webhook_events_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      workspace_domains: {
        Row: {
          created_at: string;
          domain: string;
          id: string;
          join_role_id: string | null;
          verified_at: string;
          verified_by: string | null;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          created_at?: string;
          domain: string;
          id?: string;
          join_role_id?: string | null;
          verified_at?: string;
          verified_by?: string | null;
          workspace_id: string;
        };
        Update: {
          created_at?: string;
          domain?: string;
          id?: string;
          join_role_id?: string | null;
          verified_at?: string;
          verified_by?: string | null;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'workspace_domains_join_role_id_fkey';
            columns: ['join_role_id'];
            isOneToOne: false;
            referencedRelation: 'roles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'workspace_domains_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      workspace_members: {
        Row: {
          created_at: string;
          role: Database['public']['Enums']['workspace_role'] | null;
          role_id: string;
          user_id: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          created_at?: string;
          role?: Database['public']['Enums']['workspace_role'] | null;
          role_id: string;
          user_id: string;
          workspace_id: string;
        };
        Update: {
          created_at?: string;
          role?: Database['public']['Enums']['workspace_role'] | null;
          role_id?: string;
          user_id?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'workspace_members_role_id_fkey';
            columns: ['role_id'];
            isOneToOne: false;
            referencedRelation: 'roles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'workspace_members_user_id_fkey';
            columns: ['user_id'];
            isOneToOne: false;
            referencedRelation: 'profiles';
            referencedColumns: ['id'];
          },
          {
            foreignKeyName: 'workspace_members_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: false;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      workspace_subscriptions: {
        Row: {
          cancel_at_period_end: boolean;
          current_period_end: string | null;
          past_due_since: string | null;
          quantity: number | null;
          state_as_of: string | null;
          status: string | null;
          stripe_customer_id: string;
          stripe_price_id: string | null;
          stripe_subscription_id: string | null;
          stripe_subscription_item_id: string | null;
          updated_at: string;
          workspace_id: string;
        };
        ComputedFields: never;
        Insert: {
          cancel_at_period_end?: boolean;
          current_period_end?: string | null;
          past_due_since?: string | null;
          quantity?: number | null;
          state_as_of?: string | null;
          status?: string | null;
          stripe_customer_id: string;
          stripe_price_id?: string | null;
          stripe_subscription_id?: string | null;
          stripe_subscription_item_id?: string | null;
          updated_at?: string;
          workspace_id: string;
        };
        Update: {
          cancel_at_period_end?: boolean;
          current_period_end?: string | null;
          past_due_since?: string | null;
          quantity?: number | null;
          state_as_of?: string | null;
          status?: string | null;
          stripe_customer_id?: string;
          stripe_price_id?: string | null;
          stripe_subscription_id?: string | null;
          stripe_subscription_item_id?: string | null;
          updated_at?: string;
          workspace_id?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'workspace_subscriptions_workspace_id_fkey';
            columns: ['workspace_id'];
            isOneToOne: true;
            referencedRelation: 'workspaces';
            referencedColumns: ['id'];
          },
        ];
      };
      workspaces: {
        Row: {
          created_at: string;
          id: string;
          name: string;
          plan: string;
          require_mfa: boolean;
          slug: string;
          updated_at: string;
        };
        ComputedFields: never;
        Insert: {
          created_at?: string;
          id?: string;
          name: string;
          plan?: string;
          require_mfa?: boolean;
          slug: string;
          updated_at?: string;
        };
        Update: {
          created_at?: string;
          id?: string;
          name?: string;
          plan?: string;
          require_mfa?: boolean;
          slug?: string;
          updated_at?: string;
        };
        Relationships: [
          {
            foreignKeyName: 'workspaces_plan_fkey';
            columns: ['plan'];
            isOneToOne: false;
            referencedRelation: 'plans';
            referencedColumns: ['id'];
          },
        ];
      };
    };
    Views: {
      [_ in never]: never;
    };
    Functions: {
      accept_invitation: {
        Args: { token: string };
        Returns: {
          created_at: string;
          id: string;
          name: string;
          plan: string;
          require_mfa: boolean;
          slug: string;
          updated_at: string;
        };
        SetofOptions: {
          from: '*';
          to: 'workspaces';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      billing_apply_stripe_event: { Args: { event: Json }; Returns: string };
      billing_claim_cancellations: {
        Args: Record<PropertyKey, never>;
        Returns: {
          attempts: number;
          stripe_subscription_id: string;
          workspace_id: string;
        }[];
      };
      billing_claim_seat_syncs: {
        Args: Record<PropertyKey, never>;
        Returns: {
          quantity: number;
          stripe_subscription_id: string;
          stripe_subscription_item_id: string;
          version: number;
          workspace_id: string;
        }[];
      };
      billing_finish_cancellation: {
        Args: { error?: string; stripe_subscription_id: string };
        Returns: undefined;
      };
      billing_finish_seat_sync: {
        Args: { error?: string; quantity: number; version: number; workspace_id: string };
        Returns: undefined;
      };
      billing_subscription: {
        Args: { workspace_id: string };
        Returns: {
          cancel_at_period_end: boolean;
          creations_blocked: boolean;
          current_period_end: string;
          grace_ends_at: string;
          has_billing_account: boolean;
          max_members: number;
          past_due_since: string;
          plan: string;
          quantity: number;
          seats_used: number;
          status: string;
        }[];
      };
      claim_webhook_deliveries: {
        Args: { max_count?: number };
        Returns: {
          attempt: number;
          delivery_id: string;
          payload: string;
          secrets: string[];
          url: string;
          webhook_id: string;
        }[];
      };
      create_api_key: {
        Args: { expires_at?: string; name: string; permissions: string[]; workspace_id: string };
        Returns: Json;
      };
      create_invite_link: {
        Args: { expires_at?: string; max_uses?: number; role_id: string; workspace_id: string };
        Returns: Database['public']['CompositeTypes']['new_invite_link'];
        SetofOptions: {
          from: '*';
          to: 'new_invite_link';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      create_webhook_endpoint: {
        Args: { description?: string; event_types?: string[]; url: string; workspace_id: string };
        Returns: Json;
      };
      create_workspace: {
        Args: { name: string; slug: string };
        Returns: {
          created_at: string;
          id: string;
          name: string;
          plan: string;
          require_mfa: boolean;
          slug: string;
          updated_at: string;
        };
        SetofOptions: {
          from: '*';
          to: 'workspaces';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      current_api_key: { Args: Record<PropertyKey, never>; Returns: Json };
      delete_permanently: {
        Args: { id: string; kind: string };
        Returns: Database['public']['CompositeTypes']['trash_entry'];
        SetofOptions: {
          from: '*';
          to: 'trash_entry';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      empty_trash: { Args: { workspace_id: string }; Returns: number };
      has_permission: { Args: { permission: string; workspace_id: string }; Returns: boolean };
      join_invite_link: {
        Args: { token: string };
        Returns: {
          created_at: string;
          id: string;
          name: string;
          plan: string;
          require_mfa: boolean;
          slug: string;
          updated_at: string;
        };
        SetofOptions: {
          from: '*';
          to: 'workspaces';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      join_workspace_by_domain: {
        Args: { workspace_id: string };
        Returns: {
          created_at: string;
          id: string;
          name: string;
          plan: string;
          require_mfa: boolean;
          slug: string;
          updated_at: string;
        };
        SetofOptions: {
          from: '*';
          to: 'workspaces';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      key: {
        Args: {
          task: Omit<
            Database['public']['Tables']['tasks']['Row'],
            Database['public']['Tables']['tasks']['ComputedFields']
          >;
        };
        Returns: string;
      };
      leave_workspace: { Args: { workspace_id: string }; Returns: undefined };
      list_api_keys: { Args: { workspace_id: string }; Returns: Json[] };
      list_trash: {
        Args: { workspace_id: string };
        Returns: Database['public']['CompositeTypes']['trash_entry'][];
        SetofOptions: {
          from: '*';
          to: 'trash_entry';
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      mark_notifications_read: { Args: { ids?: string[] }; Returns: number };
      move_task: {
        Args: {
          after_task_id?: string;
          before_task_id?: string;
          status?: Database['public']['Enums']['task_status'];
          task_id: string;
        };
        Returns: {
          assignee_id: string | null;
          created_at: string;
          created_by: string | null;
          deleted_at: string | null;
          deleted_by: string | null;
          deleted_with_parent: boolean;
          description: string;
          due_date: string | null;
          id: string;
          number: number;
          position: number;
          priority: Database['public']['Enums']['task_priority'];
          project_id: string;
          search_vector: unknown;
          status: Database['public']['Enums']['task_status'];
          title: string;
          updated_at: string;
          workspace_id: string;
        };
        SetofOptions: {
          from: '*';
          to: 'tasks';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      move_to_trash: {
        Args: { id: string; kind: string };
        Returns: Database['public']['CompositeTypes']['trash_entry'];
        SetofOptions: {
          from: '*';
          to: 'trash_entry';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      my_permissions: { Args: { workspace_id: string }; Returns: string[] };
      record_webhook_attempts: { Args: { results: Json }; Returns: number };
      replay_failed_webhook_deliveries: { Args: { endpoint_id: string; since: string }; Returns: number };
      replay_webhook_delivery: {
        Args: { delivery_id: string };
        Returns: {
          attempts: number;
          created_at: string;
          delivered_at: string | null;
          endpoint_id: string;
          event_id: string;
          event_type: string;
          id: string;
          last_attempt_at: string | null;
          last_error: string | null;
          last_response: string | null;
          last_status_code: number | null;
          next_attempt_at: string;
          status: Database['public']['Enums']['webhook_delivery_status'];
          workspace_id: string;
        };
        SetofOptions: {
          from: '*';
          to: 'webhook_deliveries';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      resend_invitation: {
        Args: { invitation_id: string; token_hash: string };
        Returns: {
          accepted_at: string | null;
          accepted_by: string | null;
          created_at: string;
          email: string;
          expires_at: string;
          id: string;
          invited_by: string | null;
          last_sent_at: string;
          revoked_at: string | null;
          role: Database['public']['Enums']['workspace_role'];
          send_count: number;
          token_hash: string;
          workspace_id: string;
        };
        SetofOptions: {
          from: '*';
          to: 'invitations';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      restore_from_trash: {
        Args: { id: string; kind: string };
        Returns: Database['public']['CompositeTypes']['trash_entry'];
        SetofOptions: {
          from: '*';
          to: 'trash_entry';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      revoke_api_key: { Args: { key_id: string }; Returns: Json };
      rotate_webhook_secret: { Args: { endpoint_id: string }; Returns: Json };
      search_tasks: {
        Args: { max_results?: number; query: string; workspace_id: string };
        Returns: {
          assignee_id: string | null;
          created_at: string;
          created_by: string | null;
          deleted_at: string | null;
          deleted_by: string | null;
          deleted_with_parent: boolean;
          description: string;
          due_date: string | null;
          id: string;
          number: number;
          position: number;
          priority: Database['public']['Enums']['task_priority'];
          project_id: string;
          search_vector: unknown;
          status: Database['public']['Enums']['task_status'];
          title: string;
          updated_at: string;
          workspace_id: string;
        }[];
        SetofOptions: {
          from: '*';
          to: 'tasks';
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      send_test_webhook: {
        Args: { endpoint_id: string };
        Returns: {
          attempts: number;
          created_at: string;
          delivered_at: string | null;
          endpoint_id: string;
          event_id: string;
          event_type: string;
          id: string;
          last_attempt_at: string | null;
          last_error: string | null;
          last_response: string | null;
          last_status_code: number | null;
          next_attempt_at: string;
          status: Database['public']['Enums']['webhook_delivery_status'];
          workspace_id: string;
        };
        SetofOptions: {
          from: '*';
          to: 'webhook_deliveries';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      set_workspace_require_mfa: {
        Args: { require_mfa: boolean; workspace_id: string };
        Returns: Database['public']['CompositeTypes']['workspace_mfa'];
        SetofOptions: {
          from: '*';
          to: 'workspace_mfa';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      suggested_workspaces: {
        Args: Record<PropertyKey, never>;
        Returns: {
          can_join: boolean;
          domain: string;
          name: string;
          slug: string;
          workspace_id: string;
        }[];
      };
      transfer_ownership: { Args: { new_owner_id: string; workspace_id: string }; Returns: undefined };
      verify_workspace_domain: {
        Args: { domain: string; join_role_id?: string; workspace_id: string };
        Returns: {
          created_at: string;
          domain: string;
          id: string;
          join_role_id: string | null;
          verified_at: string;
          verified_by: string | null;
          workspace_id: string;
        };
        SetofOptions: {
          from: '*';
          to: 'workspace_domains';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      workspace_mfa_status: {
        Args: { workspace_id: string };
        Returns: Database['public']['CompositeTypes']['workspace_mfa'];
        SetofOptions: {
          from: '*';
          to: 'workspace_mfa';
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      workspace_storage_usage: {
        Args: { workspace_id: string };
        Returns: {
          limit_bytes: number;
          used_bytes: number;
        }[];
      };
      workspace_usage: {
        Args: { workspace_id: string };
        Returns: {
          max_members: number;
          max_projects: number;
          members: number;
          pending_invitations: number;
          plan: string;
          projects: number;
          storage_limit_bytes: number;
        }[];
      };
    };
    Enums: {
      notification_type:
        | 'task_assigned'
        | 'comment_added'
        | 'mentioned'
        | 'plan_over_limit'
        | 'webhook_endpoint_disabled';
      task_priority: 'none' | 'low' | 'medium' | 'high' | 'urgent';
      task_status: 'todo' | 'in_progress' | 'done' | 'canceled';
      webhook_delivery_status: 'pending' | 'delivering' | 'succeeded' | 'failed';
      workspace_role: 'viewer' | 'member' | 'admin' | 'owner';
    };
    CompositeTypes: {
      new_invite_link: {
        id: string | null;
        workspace_id: string | null;
        role_id: string | null;
        max_uses: number | null;
        use_count: number | null;
        expires_at: string | null;
        created_at: string | null;
        token: string | null;
      };
      trash_entry: {
        kind: string | null;
        id: string | null;
        workspace_id: string | null;
        project_id: string | null;
        task_id: string | null;
        title: string | null;
        deleted_at: string | null;
        deleted_by: string | null;
        purge_after: string | null;
      };
      workspace_mfa: {
        workspace_id: string | null;
        require_mfa: boolean | null;
        session_aal: string | null;
        mfa_satisfied: boolean | null;
      };
    };
  };
};

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>;

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, 'public'>];

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema['Tables'] & DefaultSchema['Views'])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Views'])
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Views'])[TableName] extends {
      Row: infer R;
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema['Tables'] & DefaultSchema['Views'])
    ? (DefaultSchema['Tables'] & DefaultSchema['Views'])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R;
      }
      ? R
      : never
    : never;

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema['Tables']
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables']
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'][TableName] extends {
      Insert: infer I;
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema['Tables']
    ? DefaultSchema['Tables'][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I;
      }
      ? I
      : never
    : never;

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema['Tables']
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables']
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'][TableName] extends {
      Update: infer U;
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema['Tables']
    ? DefaultSchema['Tables'][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U;
      }
      ? U
      : never
    : never;

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema['Enums']
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions['schema']]['Enums']
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions['schema']]['Enums'][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema['Enums']
    ? DefaultSchema['Enums'][DefaultSchemaEnumNameOrOptions]
    : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema['CompositeTypes']
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions['schema']]['CompositeTypes']
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions['schema']]['CompositeTypes'][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema['CompositeTypes']
    ? DefaultSchema['CompositeTypes'][PublicCompositeTypeNameOrOptions]
    : never;

export const Constants = {
  public: {
    Enums: {
      notification_type: [
        'task_assigned',
        'comment_added',
        'mentioned',
        'plan_over_limit',
        'webhook_endpoint_disabled',
      ],
      task_priority: ['none', 'low', 'medium', 'high', 'urgent'],
      task_status: ['todo', 'in_progress', 'done', 'canceled'],
      webhook_delivery_status: ['pending', 'delivering', 'succeeded', 'failed'],
      workspace_role: ['viewer', 'member', 'admin', 'owner'],
    },
  },
} as const;
